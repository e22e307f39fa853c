// The short soundness fuzzing run of the host suite: 20 000 generated programs, every
// accepted one run three times on the checked interpreter; no violation allowed. The long run
// is scripts/fuzz.
#include "Fuzzer.h"
#include <catch2/catch.hpp>

TEST_CASE("soundness fuzz: accepted programs never break the verifier's promises", "[verifier][fuzz]")
{
    verifier_fuzz::FuzzStats stats;
    verifier_fuzz::fuzz(20240611, 0, 20000, stats);
    INFO("generated " << stats.generated << ", accepted " << stats.accepted << ", runs " << stats.runs);
    for (auto const& example : stats.examples)
        UNSCOPED_INFO(example);
    CHECK(stats.generated == 20000);
    // A generator that produces only rejected programs would test nothing.
    CHECK(stats.accepted > stats.generated / 10);
    CHECK(stats.violations == 0);
}
