// The tracefs events tree (see EventsDirectory.h). Inode numbers are stable: systems and
// events derive theirs from the first tracepoint of the system and from the event's id.
#include "trace/tracefs/EventsDirectory.h"
#include "klib/CString.h"
#include "klib/Format.h"
#include "klib/String.h"
#include "trace/Tracepoint.h"
#include "trace/tracefs/EventEnable.h"

namespace trace {

namespace {

constexpr u64 ino_base = 1ULL << 40;
u64 event_ino(u32 id, u32 kind) { return ino_base + (static_cast<u64>(id) << 3) + kind; }

bool listed(Tracepoint const& tracepoint) { return !(tracepoint.definition().flags & tracepoint_flag_hidden); }

// Finds the id of a listed tracepoint by system and name (0 if none).
u32 lookup_event_id(StringView system, StringView name)
{
    Tracepoint* tracepoint = find_tracepoint(system, name);
    return tracepoint && listed(*tracepoint) ? tracepoint->id() : 0;
}

bool system_exists(StringView system, u32* first_id)
{
    struct Search {
        StringView system;
        u32 first_id;
    } search { system, 0 };
    for_each_tracepoint([](Tracepoint& tracepoint, void* context) {
        auto& s = *static_cast<Search*>(context);
        if (listed(tracepoint) && tracepoint.system() == s.system) {
            s.first_id = tracepoint.id();
            return false;
        }
        return true;
    }, &search);
    if (first_id)
        *first_id = search.first_id;
    return search.first_id != 0;
}

void visit_dot_entries(Inode& self, u64 parent_ino, u64& position, DirectoryVisitor& visitor, bool& stop)
{
    stop = false;
    if (position == 0) {
        if (!visitor.visit(".", self.ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 1)) {
            stop = true;
            return;
        }
        position = 1;
    }
    if (position == 1) {
        if (!visitor.visit("..", parent_ino, fs::mode_to_dirent_type(fs::S_DIRECTORY), 2)) {
            stop = true;
            return;
        }
        position = 2;
    }
}

enum class EventFile : u32 { Id = 1, Format = 2, Enable = 3 };

class EventFileInode final : public GeneratedInode {
public:
    EventFileInode(PseudoFS& fs, u32 id, EventFile kind)
        : GeneratedInode(fs, event_ino(id, static_cast<u32>(kind)), kind == EventFile::Enable ? 0644 : 0444)
        , m_id(id)
        , m_kind(kind)
    {
    }
    ErrorOr<void> generate(StringBuilder& out) override
    {
        Tracepoint* tracepoint = find_tracepoint(m_id);
        if (!tracepoint)
            return Error(ENODEV);
        switch (m_kind) {
        case EventFile::Id: return out.try_appendf("%u\n", m_id);
        case EventFile::Format: return generate_event_format(*tracepoint, out);
        case EventFile::Enable: return out.try_append(event_enabled(*tracepoint) ? "1\n" : "0\n");
        }
        return {};
    }
    bool is_writable() const override { return m_kind == EventFile::Enable; }
    ErrorOr<void> write_data(StringView data) override
    {
        if (m_kind != EventFile::Enable)
            return Error(EACCES);
        Tracepoint* tracepoint = find_tracepoint(m_id);
        if (!tracepoint)
            return Error(ENODEV);
        while (data.length() && (data[data.length() - 1] == '\n' || data[data.length() - 1] == ' '))
            data = data.substring(0, data.length() - 1);
        if (data == "1")
            return set_event_enabled(*tracepoint, true);
        if (data == "0")
            return set_event_enabled(*tracepoint, false);
        return Error(EINVAL);
    }

private:
    u32 m_id;
    EventFile m_kind;
};

struct EventEntry {
    char const* name;
    EventFile kind;
};
constexpr EventEntry event_entries[] = { { "enable", EventFile::Enable }, { "format", EventFile::Format }, { "id", EventFile::Id } };

class EventDirectoryInode final : public PseudoInode {
public:
    EventDirectoryInode(PseudoFS& fs, u32 id, u64 parent_ino)
        : PseudoInode(fs, event_ino(id, 0), fs::S_DIRECTORY | 0755)
        , m_id(id)
        , m_parent_ino(parent_ino)
    {
    }
    ErrorOr<RefPtr<Inode>> lookup(StringView name) override
    {
        if (!find_tracepoint(m_id))
            return Error(ENOENT);
        for (auto const& entry : event_entries) {
            if (name == entry.name)
                return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) EventFileInode(pseudo_fs(), m_id, entry.kind))));
        }
        return Error(ENOENT);
    }
    ErrorOr<void> iterate(u64 position, DirectoryVisitor& visitor) override
    {
        bool stop;
        visit_dot_entries(*this, m_parent_ino, position, visitor, stop);
        if (stop)
            return {};
        for (u64 i = position - 2; i < sizeof(event_entries) / sizeof(event_entries[0]); i++) {
            if (!visitor.visit(event_entries[i].name, event_ino(m_id, static_cast<u32>(event_entries[i].kind)),
                    fs::mode_to_dirent_type(fs::S_REGULAR), i + 3))
                return {};
        }
        return {};
    }
    bool has_entries() const override { return true; }

private:
    u32 m_id;
    u64 m_parent_ino;
};

class SystemDirectoryInode final : public PseudoInode {
public:
    SystemDirectoryInode(PseudoFS& fs, String system, u32 first_id, u64 parent_ino)
        : PseudoInode(fs, event_ino(first_id, 4), fs::S_DIRECTORY | 0755)
        , m_system(move(system))
        , m_parent_ino(parent_ino)
    {
    }
    ErrorOr<RefPtr<Inode>> lookup(StringView name) override
    {
        u32 id = lookup_event_id(m_system.view(), name);
        if (!id)
            return Error(ENOENT);
        return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) EventDirectoryInode(pseudo_fs(), id, ino()))));
    }
    // Positions after "." and "..": 2 + the event's id.
    ErrorOr<void> iterate(u64 position, DirectoryVisitor& visitor) override
    {
        bool stop;
        visit_dot_entries(*this, m_parent_ino, position, visitor, stop);
        if (stop)
            return {};
        struct Walk {
            StringView system;
            u64 first_position;
            DirectoryVisitor& visitor;
        } walk { m_system.view(), position, visitor };
        for_each_tracepoint([](Tracepoint& tracepoint, void* context) {
            auto& w = *static_cast<Walk*>(context);
            if (!listed(tracepoint) || tracepoint.system() != w.system || tracepoint.id() + 2 < w.first_position)
                return true;
            return w.visitor.visit(tracepoint.name(), event_ino(tracepoint.id(), 0), fs::mode_to_dirent_type(fs::S_DIRECTORY),
                tracepoint.id() + 3);
        }, &walk);
        return {};
    }
    bool has_entries() const override { return true; }

private:
    String m_system;
    u64 m_parent_ino;
};

class EventsRootInode final : public PseudoInode {
public:
    explicit EventsRootInode(PseudoFS& fs)
        : PseudoInode(fs, ino_base - 1, fs::S_DIRECTORY | 0755)
    {
    }
    ErrorOr<RefPtr<Inode>> lookup(StringView name) override
    {
        u32 first_id;
        if (!system_exists(name, &first_id))
            return Error(ENOENT);
        auto system = TRY(String::try_create(name));
        return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) SystemDirectoryInode(pseudo_fs(), move(system), first_id, ino()))));
    }
    // Positions after "." and "..": 2 + the id of the system's first tracepoint.
    ErrorOr<void> iterate(u64 position, DirectoryVisitor& visitor) override
    {
        bool stop;
        visit_dot_entries(*this, fs().root()->ino(), position, visitor, stop);
        if (stop)
            return {};
        struct Walk {
            u64 first_position;
            DirectoryVisitor& visitor;
        } walk { position, visitor };
        for_each_tracepoint([](Tracepoint& tracepoint, void* context) {
            auto& w = *static_cast<Walk*>(context);
            if (!listed(tracepoint) || tracepoint.id() + 2 < w.first_position)
                return true;
            u32 first_id;
            if (!system_exists(tracepoint.system(), &first_id) || first_id != tracepoint.id())
                return true; // not the system's first tracepoint
            return w.visitor.visit(tracepoint.system(), event_ino(first_id, 4), fs::mode_to_dirent_type(fs::S_DIRECTORY),
                tracepoint.id() + 3);
        }, &walk);
        return {};
    }
    bool has_entries() const override { return true; }
};

}

ErrorOr<void> generate_event_format(Tracepoint const& tracepoint, StringBuilder& out)
{
    auto const& definition = tracepoint.definition();
    TRY(out.try_appendf("name: %s\nID: %u\nformat:\n", definition.name, tracepoint.id()));
    TRY(out.try_append("\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
                       "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
                       "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
                       "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"));
    for (u32 i = 0; i < definition.field_count; i++) {
        auto const& field = definition.fields[i];
        // Linux writes "char prev_comm[16]" and "const char * filename" (a pointer type ends
        // with '*' and is followed by a space).
        TRY(out.try_appendf("\tfield:%s %s;\toffset:%u;\tsize:%u;\tsigned:%u;\n", field.type, field.name, field.offset, field.size,
            field.is_signed ? 1u : 0u));
    }
    return out.try_appendf("\nprint fmt: %s\n", definition.print_fmt);
}

ErrorOr<RefPtr<Inode>> create_events_directory(PseudoFS& fs)
{
    return RefPtr<Inode>(TRY(adopt_ref_or_enomem(new (std::nothrow) EventsRootInode(fs))));
}

}
