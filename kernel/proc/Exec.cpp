// execve: replaces the process image with a static ELF64 program. Everything that can fail
// (open, permission, ELF validation, building the new address space and initial stack)
// happens before the point of no return; after it, the old address space is dropped, FD_CLOEXEC
// descriptors close, caught signals reset to SIG_DFL, and the thread leaves through the full
// register restore with Linux's initial stack: argc, argv, envp, auxv, strings, AT_RANDOM.
#include "arch/Cpu.h"
#include "fs/Custody.h"
#include "fs/OpenFileDescription.h"
#include "fs/VfsOps.h"
#include "klib/CString.h"
#include "lib/Random.h"
#include "mm/AddressSpace.h"
#include "mm/UserBuffer.h"
#include "proc/Elf.h"
#include "proc/Process.h"
#include "sched/Thread.h"
#include <linux/auxvec.h>
#include <linux/mman.h>
#include "trace/events/Events.h"

namespace {

constexpr u64 pie_load_base = 0x0000555555554000ULL;
constexpr usize max_exec_string_bytes = 256 * 1024;

struct StackImage {
    u64 sp;
    u64 arg_start, arg_end, env_start, env_end;
};

ErrorOr<u64> push_string(AddressSpace& space, u64& cursor, StringView text)
{
    cursor -= text.length() + 1;
    TRY(space.write_bytes(cursor, text.chars(), text.length()));
    u8 zero = 0;
    TRY(space.write_bytes(cursor + text.length(), &zero, 1));
    return cursor;
}

u64 cpu_hwcap()
{
    u32 a, b, c, d;
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    return d;
}

ErrorOr<StackImage> build_initial_stack(AddressSpace& space, Vector<String> const& argv, Vector<String> const& envp,
    StringView execfn, ElfImage const& image, u64 bias, Credentials const& credentials)
{
    StackImage result {};
    u64 cursor = user_stack_top - 8;
    u64 execfn_address = TRY(push_string(space, cursor, execfn));
    Vector<u64> env_pointers, arg_pointers;
    result.env_end = cursor;
    for (usize i = envp.size(); i > 0; --i)
        TRY(env_pointers.try_append(TRY(push_string(space, cursor, envp[i - 1].view()))));
    result.env_start = cursor;
    result.arg_end = cursor;
    for (usize i = argv.size(); i > 0; --i)
        TRY(arg_pointers.try_append(TRY(push_string(space, cursor, argv[i - 1].view()))));
    result.arg_start = cursor;
    u64 platform = TRY(push_string(space, cursor, arch::machine_name()));
    cursor = align_down(cursor - 16, 16);
    u8 random[16];
    random_bytes(random, sizeof(random));
    TRY(space.write_bytes(cursor, random, sizeof(random)));
    u64 random_address = cursor;

    u64 phdr = image.program_header_address ? image.program_header_address + bias : 0;
    if (!phdr) {
        for (auto const& segment : image.segments)
            if (segment.file_offset == 0)
                phdr = segment.virtual_address + bias + image.program_header_offset;
    }
    u64 const auxv[][2] = {
        { AT_HWCAP, cpu_hwcap() },
        { AT_PAGESZ, PAGE_SIZE },
        { AT_CLKTCK, 100 },
        { AT_PHDR, phdr },
        { AT_PHENT, image.program_header_entry_size },
        { AT_PHNUM, image.program_header_count },
        { AT_BASE, 0 },
        { AT_FLAGS, 0 },
        { AT_ENTRY, image.entry + bias },
        { AT_UID, credentials.uid },
        { AT_EUID, credentials.euid },
        { AT_GID, credentials.gid },
        { AT_EGID, credentials.egid },
        { AT_SECURE, 0 },
        { AT_RANDOM, random_address },
        { AT_HWCAP2, 0 },
        { AT_EXECFN, execfn_address },
        { AT_PLATFORM, platform },
        { AT_MINSIGSTKSZ, 2048 },
        { AT_NULL, 0 },
    };
    Vector<u64> words;
    TRY(words.try_append(argv.size()));
    for (usize i = arg_pointers.size(); i > 0; --i)
        TRY(words.try_append(arg_pointers[i - 1]));
    TRY(words.try_append(0));
    for (usize i = env_pointers.size(); i > 0; --i)
        TRY(words.try_append(env_pointers[i - 1]));
    TRY(words.try_append(0));
    for (auto const& entry : auxv) {
        TRY(words.try_append(entry[0]));
        TRY(words.try_append(entry[1]));
    }
    u64 sp = cursor - words.size() * 8;
    sp = align_down(sp, 16);
    TRY(space.write_bytes(sp, words.data(), words.size() * 8));
    result.sp = sp;
    return result;
}

StringView basename(StringView path)
{
    isize slash = path.find_last('/');
    return slash < 0 ? path : path.substring(static_cast<usize>(slash) + 1);
}

}

ErrorOr<void> Process::exec(StringView path, Vector<String>&& argv, Vector<String>&& envp, Registers& frame)
{
    usize total = path.length();
    for (auto const& s : argv)
        total += s.length() + 1;
    for (auto const& s : envp)
        total += s.length() + 1;
    if (total > max_exec_string_bytes)
        return Error(E2BIG);

    FsCredentials credentials { m_credentials.euid, m_credentials.egid };
    auto description = TRY(vfs_open_at(*m_cwd, path, 0, 0, credentials));
    if (description->file().is_directory())
        return Error(EACCES);
    if (!description->file().is_regular())
        return Error(EACCES);
    auto metadata = TRY(description->metadata());
    if (!(metadata.mode & 0111))
        return Error(EACCES);
    Vector<u8> header;
    TRY(header.try_resize(static_cast<usize>(min<u64>(metadata.size, 4096))));
    usize got = TRY(description->read_at(0, UserBuffer::kernel(header.data(), header.size()), header.size()));
    ElfImage image = TRY(parse_elf(ReadonlyBytes(header.data(), got), metadata.size));

    AddressSpace* space = TRY(AddressSpace::try_create());
    struct Cleanup {
        AddressSpace*& space;
        ~Cleanup() { delete space; }
    } cleanup { space };

    u64 bias = image.position_independent ? pie_load_base : 0;
    u64 highest = 0;
    for (auto const& segment : image.segments) {
        Region region;
        u64 start = segment.virtual_address + bias;
        region.start = align_down(start, PAGE_SIZE);
        region.end = align_up(start + segment.memory_size, PAGE_SIZE);
        region.prot = (segment.readable ? PROT_READ : 0) | (segment.writable ? PROT_WRITE : 0) | (segment.executable ? PROT_EXEC : 0);
        region.kind = RegionKind::FilePrivate;
        region.file = description;
        region.file_offset = align_down(segment.file_offset, PAGE_SIZE);
        region.file_bytes = segment.file_size + (start - region.start);
        region.name = TRY(String::try_create(path));
        highest = max(highest, region.end);
        TRY(space->add_region(move(region)));
    }
    space->set_break_base(highest);
    Region stack;
    stack.start = user_stack_top - user_stack_size;
    stack.end = user_stack_top;
    stack.prot = PROT_READ | PROT_WRITE | (image.executable_stack ? PROT_EXEC : 0);
    stack.kind = RegionKind::AnonymousPrivate;
    stack.name = TRY(String::try_create("[stack]"));
    TRY(space->add_region(move(stack)));
    StackImage stack_image = TRY(build_initial_stack(*space, argv, envp, path, image, bias, m_credentials));

    // Point of no return.
    AddressSpace* old = m_address_space;
    m_address_space = exchange(space, nullptr);
    if (Thread::current().process() == this)
        m_address_space->activate();
    delete old;
    m_arg_start = stack_image.arg_start;
    m_arg_end = stack_image.arg_end;
    m_env_start = stack_image.env_start;
    m_env_end = stack_image.env_end;
    m_executable = description->custody_ref();
    set_comm(basename(path));
    if (trace::tp_sched_process_exec.is_active()) {
        char filename[256] {};
        memcpy(filename, path.chars(), min<usize>(path.length(), sizeof filename - 1));
        trace::trace_sched_process_exec(&Thread::current(), m_pid, filename);
    }
    m_fds->close_on_exec();
    for (auto& action : m_signals.actions) {
        if (action.handler > 1)
            action = KernelSigaction {};
    }
    arch_initialize_user_frame(frame, image.entry + bias, stack_image.sp);
    Thread::current().needs_full_return = true;
    if (Thread* main = m_main_thread) {
        ArchThreadState& state = main->arch_state();
        arch_initialize_thread_state(state);
        if (main == &Thread::current()) {
            arch_restore_fpu_state(state, state.fpu);
            arch_set_tls_base(state, 0);
        }
    }
    return {};
}
