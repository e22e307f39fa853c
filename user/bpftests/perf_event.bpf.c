/* perf_event.bpf.c: a PERF_EVENT program run on each sample of a software CPU clock event;
 * records the sample period from struct bpf_perf_event_data and the sampled process. */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

struct results {
    __u64 hits;
    __u64 foreign; /* samples taken in another process */
    __u64 period;
};
const volatile __u32 target_tgid;
struct results out;

SEC("perf_event")
int on_sample(struct bpf_perf_event_data *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        __sync_fetch_and_add(&out.foreign, 1);
    __sync_fetch_and_add(&out.hits, 1);
    out.period = ctx->sample_period;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
