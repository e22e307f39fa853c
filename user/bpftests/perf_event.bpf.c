/* perf_event.bpf.c: a PERF_EVENT program run on each sample of a software CPU clock event;
 * records the sample period from struct bpf_perf_event_data, the sampled process and what
 * bpf_perf_prog_read_value returns for the event (and for a wrong buffer size). A second
 * one for system-wide per-CPU events (the profiler's setup) counts the samples that hit this
 * process and where the interrupted instruction pointer was. */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>

struct results {
    __u64 hits;
    __u64 foreign; /* samples taken in another process */
    __u64 period;
    __u64 all_samples;  /* on_cpu_sample: every sample */
    __u64 mine;         /* ... taken in this process */
    __u64 in_text;      /* ... of those, with regs.ip in this program's text */
    __u64 in_kernel;    /* ... of those, with a kernel regs.ip */
    __s64 read_error;   /* on_sample: the last bpf_perf_prog_read_value result */
    __u64 counter, enabled, running;
    __s64 bad_size_error; /* ... with buf_size 16 */
    __u64 bad_size_dirty; /* ... and the first 16 bytes of the buffer afterwards, or-ed */
};
const volatile __u32 target_tgid;
const volatile __u64 text_start, text_end;
struct results out;

SEC("perf_event")
int on_sample(struct bpf_perf_event_data *ctx)
{
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        __sync_fetch_and_add(&out.foreign, 1);
    __sync_fetch_and_add(&out.hits, 1);
    out.period = ctx->sample_period;

    struct bpf_perf_event_value value;
    out.read_error = bpf_perf_prog_read_value(ctx, &value, sizeof value);
    out.counter = value.counter;
    out.enabled = value.enabled;
    out.running = value.running;
    value.counter = value.enabled = ~0ULL;
    out.bad_size_error = bpf_perf_prog_read_value(ctx, &value, 16);
    out.bad_size_dirty = value.counter | value.enabled;
    return 0;
}

SEC("perf_event")
int on_cpu_sample(struct bpf_perf_event_data *ctx)
{
    __sync_fetch_and_add(&out.all_samples, 1);
    if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
        return 0;
    __sync_fetch_and_add(&out.mine, 1);
    __u64 ip = ctx->regs.rip;
    if (ip >= text_start && ip < text_end)
        __sync_fetch_and_add(&out.in_text, 1);
    else if (ip >= 0xffff800000000000ULL)
        __sync_fetch_and_add(&out.in_kernel, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
