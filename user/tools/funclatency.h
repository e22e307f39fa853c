/* funclatency.h: what funclatency's BPF side and user side share: the .bss totals. Slot 0 of
 * the log2 histogram counts latencies 0 and 1, slot i >= 1 those in [2^i, 2^(i+1) - 1]. */
#ifndef EXT_EBPF_FUNCLATENCY_H
#define EXT_EBPF_FUNCLATENCY_H

#define FUNCLATENCY_SLOTS 64

struct funclatency_totals {
    __u64 hist[FUNCLATENCY_SLOTS];
    __u64 count, total, missed_entries;
};

#endif
