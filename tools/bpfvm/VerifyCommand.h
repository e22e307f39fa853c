// `bpfvm verify`: runs the kernel's verifier on a program file (see VerifyCommand.cpp).
#pragma once

#include <string>
#include <vector>

namespace bpfvm {

int command_verify(std::vector<std::string> const& args);

}
