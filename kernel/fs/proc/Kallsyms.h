// /proc/kallsyms (see Kallsyms.cpp).
#pragma once

#include "klib/String.h"

ErrorOr<void> generate_kallsyms(StringBuilder&);
