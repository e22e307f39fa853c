/* funccount.h: what funccount's BPF side and user side share: the per-function counters in
 * .bss, indexed by the attach cookie of each probe. */
#ifndef EXT_EBPF_FUNCCOUNT_H
#define EXT_EBPF_FUNCCOUNT_H

#define FUNCCOUNT_MAX 64

struct funccount_counts {
    __u64 calls[FUNCCOUNT_MAX];
};

#endif
