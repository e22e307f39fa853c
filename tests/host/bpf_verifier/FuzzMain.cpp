// bpf-verifier-fuzz: the long soundness fuzzing run (scripts/fuzz).
//   bpf-verifier-fuzz [--count N] [--seed S] [--first I] [--runs R]
//   bpf-verifier-fuzz --dump I [--seed S]     print program I (type, listing, hex bytes)
//   --reasons 1                                 also print the most common rejection messages
// Generates N programs from seed S starting at index I, verifies each, runs every accepted
// one R times on the checked interpreter, prints the counts and the first violations, and
// exits 1 if there was any violation.
#include "Fuzzer.h"
#include <algorithm>
#include <cstdio>
#include <vector>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv)
{
    uint64_t count = 100000, seed = 1, first = 0;
    unsigned runs = 3;
    bool dump = false;
    bool reasons = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string option = argv[i];
        uint64_t value = std::strtoull(argv[i + 1], nullptr, 0);
        if (option == "--count")
            count = value;
        else if (option == "--seed")
            seed = value;
        else if (option == "--first")
            first = value;
        else if (option == "--runs")
            runs = static_cast<unsigned>(value);
        else if (option == "--reasons")
            reasons = value != 0;
        else if (option == "--dump") {
            dump = true;
            first = value;
        }
        else {
            std::fprintf(stderr, "usage: bpf-verifier-fuzz [--count N] [--seed S] [--first I] [--runs R]\n");
            return 2;
        }
    }
    if (dump) {
        auto program = verifier_fuzz::generate(seed, first);
        std::printf("%s", verifier_fuzz::describe(program).c_str());
        for (auto const& insn : program.instructions) {
            unsigned char bytes[8];
            std::memcpy(bytes, &insn, 8);
            for (unsigned char byte : bytes)
                std::printf("%02x ", byte);
            std::printf("\n");
        }
        return 0;
    }
    verifier_fuzz::FuzzStats stats;
    stats.collect_reasons = reasons;
    uint64_t const chunk = 100000;
    for (uint64_t done = 0; done < count; done += chunk) {
        uint64_t n = count - done < chunk ? count - done : chunk;
        verifier_fuzz::fuzz(seed, first + done, n, stats, runs);
        std::fprintf(stderr, "\r%llu generated, %llu accepted, %llu runs, %llu violations", static_cast<unsigned long long>(stats.generated),
            static_cast<unsigned long long>(stats.accepted), static_cast<unsigned long long>(stats.runs), static_cast<unsigned long long>(stats.violations));
    }
    std::fprintf(stderr, "\n");
    std::printf("seed %llu first %llu: generated %llu accepted %llu runs %llu violations %llu budget_stops %llu\n",
        static_cast<unsigned long long>(seed), static_cast<unsigned long long>(first), static_cast<unsigned long long>(stats.generated),
        static_cast<unsigned long long>(stats.accepted), static_cast<unsigned long long>(stats.runs), static_cast<unsigned long long>(stats.violations),
        static_cast<unsigned long long>(stats.budget_stops));
    for (auto const& example : stats.examples)
        std::printf("---\n%s", example.c_str());
    std::vector<std::pair<uint64_t, std::string>> sorted;
    for (auto const& [reason, n] : stats.reasons)
        sorted.emplace_back(n, reason);
    std::sort(sorted.rbegin(), sorted.rend());
    for (size_t i = 0; i < sorted.size() && i < 40; ++i)
        std::printf("%8llu %s\n", static_cast<unsigned long long>(sorted[i].first), sorted[i].second.c_str());
    return stats.violations ? 1 : 0;
}
