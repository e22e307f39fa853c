// PseudoFS (see PseudoFS.h): pseudo inodes, the generated-file File, and registration.
#include "fs/pseudo/PseudoFS.h"
#include "fs/OpenFileDescription.h"
#include "mm/UserBuffer.h"
#include "time/Clock.h"

namespace {

// Immutable generated content shared between a file and its in-flight readers.
class Content : public RefCounted {
public:
    StringBuilder text;
};

ErrorOr<RefPtr<Content>> generate_content(GeneratedInode& inode)
{
    auto content = TRY(adopt_ref_or_enomem(new (std::nothrow) Content()));
    TRY(inode.generate(content->text));
    return content;
}

ErrorOr<usize> copy_content(Content const& content, u64 offset, UserBuffer const& buffer, usize size)
{
    auto text = content.text.view();
    if (offset >= text.length())
        return 0;
    usize n = klib::min<u64>(size, text.length() - offset);
    TRY(buffer.write(text.chars() + offset, n));
    return n;
}

class GeneratedFile final : public File {
public:
    explicit GeneratedFile(GeneratedInode& inode)
        : File(RefPtr<Inode>(&inode))
    {
    }

    ErrorOr<void> regenerate()
    {
        auto fresh = TRY(generate_content(generated_inode()));
        SpinlockGuard guard(m_lock);
        m_content = move(fresh);
        return {};
    }

    ErrorOr<usize> read(OpenFileDescription&, u64 offset, UserBuffer const& buffer, usize size) override
    {
        RefPtr<Content> content;
        {
            SpinlockGuard guard(m_lock);
            content = m_content;
        }
        if (offset == 0 || !content) {
            content = TRY(generate_content(generated_inode()));
            SpinlockGuard guard(m_lock);
            m_content = content;
        }
        return copy_content(*content, offset, buffer, size);
    }

    ErrorOr<usize> write(OpenFileDescription&, u64, UserBuffer const& buffer, usize size) override
    {
        auto& inode = generated_inode();
        if (!inode.is_writable())
            return Error(EACCES);
        constexpr usize max_write = 64 * 1024;
        if (size > max_write)
            return Error(EINVAL);
        Vector<char> data;
        TRY(data.try_resize(size));
        TRY(buffer.read(data.data(), size));
        TRY(inode.write_data(StringView(data.data(), size)));
        return size;
    }

    bool is_seekable() const override { return true; }
    bool can_poll() const override { return false; }
    ErrorOr<u64> seek_end_size() const override
    {
        SpinlockGuard guard(m_lock);
        return m_content ? m_content->text.length() : 0;
    }
    ErrorOr<void> truncate(u64) override { return {}; }
    StringView class_name() const override { return "GeneratedFile"; }

private:
    GeneratedInode& generated_inode() const { return static_cast<GeneratedInode&>(*m_inode); }

    mutable Spinlock m_lock;
    RefPtr<Content> m_content;
};

class StaticFileInode final : public GeneratedInode {
public:
    StaticFileInode(PseudoFS& fs, u64 ino, PseudoGenerator generator, PseudoWriter writer, u32 mode)
        : GeneratedInode(fs, ino, mode)
        , m_generator(generator)
        , m_writer(writer)
    {
    }
    ErrorOr<void> generate(StringBuilder& builder) override
    {
        if (!m_generator)
            return {};
        return m_generator(builder);
    }
    bool is_writable() const override { return m_writer != nullptr; }
    ErrorOr<void> write_data(StringView data) override
    {
        if (!m_writer)
            return Error(EACCES);
        return m_writer(data);
    }

private:
    PseudoGenerator m_generator;
    PseudoWriter m_writer;
};

class StaticSymlinkInode final : public GeneratedSymlinkInode {
public:
    StaticSymlinkInode(PseudoFS& fs, u64 ino, String target)
        : GeneratedSymlinkInode(fs, ino)
        , m_target(move(target))
    {
    }
    ErrorOr<String> readlink() override { return m_target.try_clone(); }

private:
    String m_target;
};

}

// ---- PseudoInode -------------------------------------------------------------------------

PseudoInode::PseudoInode(PseudoFS& fs, u64 ino, u32 mode, u32 uid, u32 gid)
    : Inode(fs, ino ? ino : fs.allocate_ino())
    , m_mode(mode)
    , m_uid(uid)
    , m_gid(gid)
    , m_time(clock_realtime_ns())
{
}

PseudoFS& PseudoInode::pseudo_fs() const { return static_cast<PseudoFS&>(fs()); }

InodeMetadata PseudoInode::metadata() const
{
    InodeMetadata md;
    md.dev = fs().dev();
    md.ino = ino();
    md.mode = m_mode;
    md.nlink = fs::mode_is_directory(m_mode) ? 2 : 1;
    md.uid = m_uid;
    md.gid = m_gid;
    md.size = 0;
    md.blksize = 1024;
    md.atime_ns = md.mtime_ns = md.ctime_ns = m_time;
    return md;
}

// ---- GeneratedInode ----------------------------------------------------------------------

ErrorOr<RefPtr<File>> GeneratedInode::open(u32 flags)
{
    auto file = TRY(adopt_ref_or_enomem(new (std::nothrow) GeneratedFile(*this)));
    if ((flags & fs::O_ACCESS_MASK) != fs::O_WRITE_ONLY)
        TRY(file->regenerate());
    return RefPtr<File>(move(file));
}

ErrorOr<void> GeneratedInode::check_open(int mask) const
{
    if ((mask & fs::ACCESS_W) && !is_writable())
        return Error(EACCES);
    return {};
}

ErrorOr<usize> GeneratedInode::read_at(u64 offset, UserBuffer const& buffer, usize size)
{
    auto content = TRY(generate_content(*this));
    return copy_content(*content, offset, buffer, size);
}

// ---- PseudoDirectoryInode ----------------------------------------------------------------

ErrorOr<RefPtr<Inode>> PseudoDirectoryInode::lookup(StringView name)
{
    {
        SpinlockGuard guard(pseudo_fs().lock());
        for (auto& child : m_children)
            if (child.name == name)
                return RefPtr<Inode>(child.inode);
    }
    if (m_dynamic)
        return m_dynamic->lookup_dynamic(name);
    return Error(ENOENT);
}

ErrorOr<void> PseudoDirectoryInode::iterate(u64 position, DirectoryVisitor& visitor)
{
    if (position == 0) {
        if (!visitor.visit(".", ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 1))
            return {};
        position = 1;
    }
    if (position == 1) {
        if (!visitor.visit("..", m_parent_ino ? m_parent_ino : ino(), fs::mode_to_dirent_type(fs::S_DIRECTORY), 2))
            return {};
        position = 2;
    }
    if (position < dynamic_position_base) {
        SpinlockGuard guard(pseudo_fs().lock());
        for (usize i = position - 2; i < m_children.size(); ++i) {
            auto& child = m_children[i];
            u64 next = i + 1 < m_children.size() ? i + 3 : dynamic_position_base;
            if (!visitor.visit(child.name.view(), child.inode->ino(), fs::mode_to_dirent_type(child.inode->mode()), next))
                return {};
        }
        position = dynamic_position_base;
    }
    if (m_dynamic)
        return m_dynamic->iterate_dynamic(position - dynamic_position_base, visitor);
    return {};
}

ErrorOr<void> PseudoDirectoryInode::add_child(StringView name, RefPtr<Inode> inode)
{
    auto name_copy = TRY(String::try_create(name));
    SpinlockGuard guard(pseudo_fs().lock());
    for (auto& child : m_children)
        if (child.name == name)
            return Error(EEXIST);
    if (inode->is_directory())
        static_cast<PseudoDirectoryInode&>(*inode).m_parent_ino = ino();
    return m_children.try_append(Child { move(name_copy), move(inode) });
}

RefPtr<Inode> PseudoDirectoryInode::child(StringView name)
{
    SpinlockGuard guard(pseudo_fs().lock());
    for (auto& child : m_children)
        if (child.name == name)
            return child.inode;
    return nullptr;
}

// ---- PseudoFS ------------------------------------------------------------------------------

ErrorOr<RefPtr<PseudoFS>> PseudoFS::try_create(StringView type_name, u64 magic)
{
    auto fs = TRY(adopt_ref_or_enomem(new (std::nothrow) PseudoFS()));
    fs->m_type_name_length = klib::min<usize>(type_name.length(), sizeof(fs->m_type_name) - 1);
    memcpy(fs->m_type_name, type_name.chars(), fs->m_type_name_length);
    fs->m_magic = magic;
    fs->m_root = TRY(fs->make_directory());
    return fs;
}

RefPtr<Inode> PseudoFS::root() { return m_root; }

ErrorOr<RefPtr<PseudoDirectoryInode>> PseudoFS::make_directory(u64 ino, u32 mode, u32 uid, u32 gid)
{
    return adopt_ref_or_enomem(new (std::nothrow) PseudoDirectoryInode(*this, ino, mode, uid, gid));
}

ErrorOr<RefPtr<Inode>> PseudoFS::make_static_file(PseudoGenerator generator, PseudoWriter writer, u32 mode)
{
    if (!mode)
        mode = writer ? 0644 : 0444;
    auto inode = TRY(adopt_ref_or_enomem(new (std::nothrow) StaticFileInode(*this, 0, generator, writer, mode)));
    return RefPtr<Inode>(move(inode));
}

ErrorOr<RefPtr<Inode>> PseudoFS::make_static_symlink(StringView target)
{
    auto copy = TRY(String::try_create(target));
    auto inode = TRY(adopt_ref_or_enomem(new (std::nothrow) StaticSymlinkInode(*this, 0, move(copy))));
    return RefPtr<Inode>(move(inode));
}

ErrorOr<RefPtr<PseudoDirectoryInode>> PseudoFS::directory_for(StringView path, bool create, StringView& last)
{
    while (path.starts_with("/"))
        path = path.substring(1);
    while (path.ends_with("/"))
        path = path.substring(0, path.length() - 1);
    if (path.is_empty())
        return Error(EINVAL);
    RefPtr<PseudoDirectoryInode> directory = m_root;
    for (;;) {
        isize slash = path.find('/');
        if (slash < 0) {
            last = path;
            return directory;
        }
        StringView component = path.substring(0, static_cast<usize>(slash));
        path = path.substring(static_cast<usize>(slash) + 1);
        if (component.is_empty())
            continue;
        auto existing = directory->child(component);
        if (existing) {
            if (!existing->is_directory())
                return Error(ENOTDIR);
            directory = RefPtr<PseudoDirectoryInode>(static_cast<PseudoDirectoryInode*>(existing.ptr()));
            continue;
        }
        if (!create)
            return Error(ENOENT);
        auto made = TRY(make_directory());
        auto result = directory->add_child(component, made);
        if (result.is_error() && result.error().code() != EEXIST)
            return result.release_error();
        auto now = directory->child(component);
        if (!now || !now->is_directory())
            return Error(ENOTDIR);
        directory = RefPtr<PseudoDirectoryInode>(static_cast<PseudoDirectoryInode*>(now.ptr()));
    }
}

ErrorOr<void> PseudoFS::register_inode(StringView path, RefPtr<Inode> inode)
{
    StringView last;
    auto directory = TRY(directory_for(path, true, last));
    return directory->add_child(last, move(inode));
}

ErrorOr<void> PseudoFS::register_file(StringView path, PseudoGenerator generator, PseudoWriter writer, u32 mode)
{
    return register_inode(path, TRY(make_static_file(generator, writer, mode)));
}

ErrorOr<void> PseudoFS::register_symlink(StringView path, StringView target)
{
    return register_inode(path, TRY(make_static_symlink(target)));
}

ErrorOr<RefPtr<PseudoDirectoryInode>> PseudoFS::register_directory(StringView path)
{
    StringView last;
    auto parent = TRY(directory_for(path, true, last));
    if (auto existing = parent->child(last)) {
        if (!existing->is_directory())
            return Error(ENOTDIR);
        return RefPtr<PseudoDirectoryInode>(static_cast<PseudoDirectoryInode*>(existing.ptr()));
    }
    auto made = TRY(make_directory());
    TRY(parent->add_child(last, made));
    return made;
}
