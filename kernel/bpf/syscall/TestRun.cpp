// BPF_PROG_TEST_RUN (see TestRun.h): the command itself and the per-type runners, following
// Linux 6.1's net/bpf/test_run.c (bpf_test_init, bpf_ctx_init, bpf_test_run, bpf_test_finish,
// bpf_ctx_finish).
#include "bpf/syscall/TestRun.h"
#include "arch/Cpu.h"
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "bpf/syscall/KernelBuffer.h"
#include "bpf/syscall/ProgramContexts.h"
#include "bpf/syscall/ProgramTypes.h"
#include "proc/Signals.h"
#include "time/Clock.h"

namespace bpf::kernel {

namespace {

constexpr u32 skb_headroom = 64 + 2;    // NET_SKB_PAD + NET_IP_ALIGN
constexpr u32 skb_tailroom = 320;       // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
constexpr u32 page_size = 4096;

// bpf_test_init(): data_size_in bytes of data_in into a buffer with head- and tailroom.
ErrorOr<KernelBuffer> copy_test_data(union bpf_attr const& attr, u32 size, u32 headroom, u32 tailroom)
{
    if (size < eth_header_length || size > page_size - headroom - tailroom)
        return Error(EINVAL);
    auto buffer = TRY(KernelBuffer::allocate(static_cast<usize>(size) + headroom + tailroom));
    TRY(copy_from_user(buffer.data() + headroom, attr.test.data_in, size));
    return buffer;
}

// bpf_ctx_init(): the optional ctx_in (longer than the kernel's struct only if zero-padded).
ErrorOr<bool> copy_test_context(union bpf_attr const& attr, void* context, u32 max_size)
{
    if (!attr.test.ctx_in && !attr.test.ctx_out)
        return false;
    if (attr.test.ctx_in) {
        TRY(check_user_tail_zero(attr.test.ctx_in, max_size, attr.test.ctx_size_in));
        TRY(copy_from_user(context, attr.test.ctx_in, min(max_size, attr.test.ctx_size_in)));
    }
    return true;
}

// bpf_test_run(): `repeat` runs (at least one); duration is the mean in ns, capped at U32_MAX.
ErrorOr<void> run_repeatedly(ProgramObject& program, u64 context, u32 repeat, u32& retval, u32& duration)
{
    if (!repeat)
        repeat = 1;
    u64 start = clock_monotonic_ns();
    u64 result = 0;
    for (u32 i = 0; i < repeat; ++i) {
        result = TRY(program.run(context));
        if ((i & 63) == 63 && i + 1 < repeat && current_has_pending_signal())
            return Error(EINTR);
    }
    u64 mean = (clock_monotonic_ns() - start) / repeat;
    retval = static_cast<u32>(result);
    duration = mean > 0xffffffffu ? 0xffffffffu : static_cast<u32>(mean);
    return {};
}

// bpf_test_finish(): data_out (clamped to data_size_out when given: ENOSPC), data_size_out,
// retval and duration.
ErrorOr<void> finish_test(union bpf_attr const& attr, u64 user_attr, void const* data, u32 size, u32 retval, u32 duration)
{
    u32 copy_size = size;
    bool no_space = false;
    if (attr.test.data_size_out && copy_size > attr.test.data_size_out) {
        copy_size = attr.test.data_size_out;
        no_space = true;
    }
    if (attr.test.data_out)
        TRY(copy_to_user(attr.test.data_out, data, copy_size));
    TRY(write_attr_field(user_attr, offsetof(union bpf_attr, test.data_size_out), size));
    TRY(write_attr_field(user_attr, offsetof(union bpf_attr, test.retval), retval));
    TRY(write_attr_field(user_attr, offsetof(union bpf_attr, test.duration), duration));
    return no_space ? Error(ENOSPC) : ErrorOr<void>();
}

// bpf_ctx_finish()
ErrorOr<void> finish_context(union bpf_attr const& attr, u64 user_attr, void const* context, u32 size, bool present)
{
    if (!present || !attr.test.ctx_out)
        return {};
    u32 copy_size = size;
    bool no_space = false;
    if (copy_size > attr.test.ctx_size_out) {
        copy_size = attr.test.ctx_size_out;
        no_space = true;
    }
    TRY(copy_to_user(attr.test.ctx_out, context, copy_size));
    TRY(write_attr_field(user_attr, offsetof(union bpf_attr, test.ctx_size_out), size));
    return no_space ? Error(ENOSPC) : ErrorOr<void>();
}

bool range_is_zero(void const* base, usize from, usize to)
{
    auto const* bytes = static_cast<u8 const*>(base);
    for (usize i = from; i < to; ++i)
        if (bytes[i])
            return false;
    return true;
}

// convert___skb_to_skb(): only mark, priority, ifindex, cb, tstamp, wire_len, gso_segs,
// gso_size and hwtstamp may be set in ctx_in.
bool skb_context_input_valid(__sk_buff const& in)
{
#define END(field) (offsetof(__sk_buff, field) + sizeof(in.field))
    return range_is_zero(&in, 0, offsetof(__sk_buff, mark)) && range_is_zero(&in, END(mark), offsetof(__sk_buff, priority))
        && range_is_zero(&in, END(priority), offsetof(__sk_buff, ifindex)) && range_is_zero(&in, END(ifindex), offsetof(__sk_buff, cb))
        && range_is_zero(&in, END(cb), offsetof(__sk_buff, tstamp)) && range_is_zero(&in, END(tstamp), offsetof(__sk_buff, wire_len))
        && range_is_zero(&in, END(wire_len), offsetof(__sk_buff, gso_segs))
        && range_is_zero(&in, END(gso_segs), offsetof(__sk_buff, gso_size))
        && range_is_zero(&in, END(gso_size), offsetof(__sk_buff, hwtstamp)) && range_is_zero(&in, END(hwtstamp), sizeof(__sk_buff));
#undef END
}

}

ErrorOr<u64> test_run_skb(ProgramObject& program, union bpf_attr const& attr, u64 user_attr)
{
    if (attr.test.flags || attr.test.cpu || attr.test.batch_size)
        return Error(EINVAL);
    u32 size = attr.test.data_size_in;
    auto buffer = TRY(copy_test_data(attr, size, skb_headroom, skb_tailroom));
    __sk_buff input {};
    bool has_context = TRY(copy_test_context(attr, &input, sizeof(input)));
    if (has_context) {
        if (!skb_context_input_valid(input))
            return Error(EINVAL);
        if (input.ifindex > 1)
            return Error(ENODEV);
        if (input.wire_len && (input.wire_len < size - eth_header_length || input.wire_len > 65536))
            return Error(EINVAL);
        if (input.gso_segs > 65535)
            return Error(EINVAL);
    }

    u8* frame = buffer.data() + skb_headroom;
    SkbContext context {};
    // eth_type_trans() on a loopback device: protocol from h_proto, packet type from the
    // destination address, then the Ethernet header is pulled.
    u16 proto = static_cast<u16>(frame[12] << 8 | frame[13]);
    u16 protocol = proto >= 0x600 ? proto : (frame[14] == 0xff && frame[15] == 0xff ? 0x0001 : 0x0004);
    bool to_us = frame[0] == 0 && frame[1] == 0 && frame[2] == 0 && frame[3] == 0 && frame[4] == 0 && frame[5] == 0;
    bool broadcast = frame[0] == 0xff && frame[1] == 0xff && frame[2] == 0xff && frame[3] == 0xff && frame[4] == 0xff && frame[5] == 0xff;
    context.skb.pkt_type = to_us ? 0 /* PACKET_HOST */ : (frame[0] & 1) ? (broadcast ? 1 : 2) : 3 /* PACKET_OTHERHOST */;
    context.skb.protocol = static_cast<u32>(__builtin_bswap16(protocol));
    context.skb.len = size - eth_header_length;
    context.skb.mark = input.mark;
    context.skb.priority = input.priority;
    context.skb.ifindex = input.ifindex;
    memcpy(context.skb.cb, input.cb, sizeof(input.cb));
    context.skb.tstamp = input.tstamp;
    context.skb.wire_len = input.wire_len ? input.wire_len : size - eth_header_length;
    context.skb.gso_segs = input.gso_segs;
    context.skb.gso_size = input.gso_size;
    context.skb.hwtstamp = input.hwtstamp;
    context.data = reinterpret_cast<u64>(frame + eth_header_length);
    context.data_end = context.data + context.skb.len;
    context.data_meta = context.data;

    u32 retval = 0, duration = 0;
    TRY(run_repeatedly(program, reinterpret_cast<u64>(&context), attr.test.repeat, retval, duration));

    // The Ethernet header comes back zeroed (Linux pushes hh_len zero bytes), as does every
    // __sk_buff field the program cannot hand back.
    memset(frame, 0, eth_header_length);
    __sk_buff output {};
    output.mark = context.skb.mark;
    output.priority = context.skb.priority;
    output.ifindex = context.skb.ifindex;
    memcpy(output.cb, context.skb.cb, sizeof(output.cb));
    output.tstamp = context.skb.tstamp;
    output.wire_len = context.skb.wire_len;
    output.gso_segs = context.skb.gso_segs;
    output.gso_size = context.skb.gso_size;
    output.hwtstamp = context.skb.hwtstamp;
    TRY(finish_test(attr, user_attr, frame, size, retval, duration));
    TRY(finish_context(attr, user_attr, &output, sizeof(output), has_context));
    return 0;
}

ErrorOr<u64> test_run_xdp(ProgramObject& program, union bpf_attr const& attr, u64 user_attr)
{
    if (program.info().expected_attach_type == BPF_XDP_DEVMAP || program.info().expected_attach_type == BPF_XDP_CPUMAP)
        return Error(EINVAL);
    if (attr.test.flags & ~static_cast<u32>(BPF_F_TEST_XDP_LIVE_FRAMES))
        return Error(EINVAL);
    if (attr.test.flags & BPF_F_TEST_XDP_LIVE_FRAMES)
        return Error(EOPNOTSUPP); // no network devices to send frames to
    if (attr.test.batch_size)
        return Error(EINVAL);
    u32 size = attr.test.data_size_in;
    if (size < eth_header_length)
        return Error(EINVAL);
    xdp_md input {};
    bool has_context = TRY(copy_test_context(attr, &input, sizeof(input)));
    u32 headroom = xdp_packet_headroom;
    if (has_context) {
        if (input.data_meta || input.data_end != size || input.data > input.data_end || (input.data & 3) || input.data > 32)
            return Error(EINVAL);
        if (input.ingress_ifindex)
            return Error(ENODEV); // no network devices
        headroom -= input.data;
    }
    u32 max_data = page_size - headroom - skb_tailroom;
    if (size > max_data)
        return Error(EINVAL); // multi-buffer frames are not supported
    auto buffer = TRY(copy_test_data(attr, size, headroom, skb_tailroom));

    XdpContext context {};
    u64 start = reinterpret_cast<u64>(buffer.data());
    context.data_hard_start = start;
    context.data_meta = start + headroom;
    context.data = context.data_meta + (has_context ? input.data : 0);
    context.data_end = start + headroom + size;
    context.frame_end = start + page_size - skb_tailroom;
    context.md.rx_queue_index = input.rx_queue_index;

    u32 retval = 0, duration = 0;
    auto run = run_repeatedly(program, reinterpret_cast<u64>(&context), attr.test.repeat, retval, duration);
    xdp_md output {};
    output.data = static_cast<u32>(context.data - context.data_meta);
    output.data_end = static_cast<u32>(context.data_end - context.data_meta);
    if (run.is_error())
        return run.release_error();
    u32 out_size = static_cast<u32>(context.data_end - context.data_meta);
    TRY(finish_test(attr, user_attr, reinterpret_cast<void const*>(context.data_meta), out_size, retval, duration));
    TRY(finish_context(attr, user_attr, &output, sizeof(output), has_context));
    return 0;
}

ErrorOr<u64> test_run_raw_tracepoint(ProgramObject& program, union bpf_attr const& attr, u64 user_attr)
{
    if (attr.test.data_in || attr.test.data_out || attr.test.ctx_out || attr.test.duration || attr.test.repeat || attr.test.batch_size)
        return Error(EINVAL);
    u32 size = attr.test.ctx_size_in;
    if (size < program.info().max_context_offset || size > max_raw_tracepoint_args * sizeof(u64))
        return Error(EINVAL);
    bool on_cpu = attr.test.flags & BPF_F_TEST_RUN_ON_CPU;
    if (!on_cpu && attr.test.cpu != 0)
        return Error(EINVAL);
    u64 arguments[max_raw_tracepoint_args] = {};
    if (size)
        TRY(copy_from_user(arguments, attr.test.ctx_in, size));
    if (on_cpu && attr.test.cpu != arch::current_cpu_id() && attr.test.cpu >= arch::cpu_count())
        return Error(ENXIO);
    u32 retval = static_cast<u32>(TRY(program.run(size ? reinterpret_cast<u64>(arguments) : 0)));
    TRY(write_attr_field(user_attr, offsetof(union bpf_attr, test.retval), retval));
    return 0;
}

ErrorOr<u64> prog_test_run(union bpf_attr const& attr, u64 user_attr)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(test.batch_size)))
        return Error(EINVAL);
    if ((attr.test.ctx_size_in && !attr.test.ctx_in) || (!attr.test.ctx_size_in && attr.test.ctx_in))
        return Error(EINVAL);
    if ((attr.test.ctx_size_out && !attr.test.ctx_out) || (!attr.test.ctx_size_out && attr.test.ctx_out))
        return Error(EINVAL);
    auto program = TRY(program_from_fd(static_cast<int>(attr.test.prog_fd)));
    auto const* type = program_type_info(program->type());
    if (!type || !type->test_run)
        return Error(ENOTSUPP);
    return type->test_run(*program, attr, user_attr);
}

}
