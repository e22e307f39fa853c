// Custody: construction and path reconstruction by walking the parent chain.
#include "fs/Custody.h"
#include "fs/Inode.h"

Custody::Custody(RefPtr<Custody> parent, String name, RefPtr<Inode> inode)
    : m_parent(move(parent))
    , m_name(move(name))
    , m_inode(move(inode))
{
}

Custody::~Custody() = default;

ErrorOr<RefPtr<Custody>> Custody::try_create(RefPtr<Custody> parent, StringView name, RefPtr<Inode> inode)
{
    VERIFY(inode);
    auto owned_name = TRY(String::try_create(name));
    return adopt_ref_or_enomem(new (std::nothrow) Custody(move(parent), move(owned_name), move(inode)));
}

ErrorOr<String> Custody::absolute_path() const
{
    if (is_root())
        return String::try_create("/");
    usize length = 0;
    for (Custody const* c = this; c && !c->is_root(); c = c->parent())
        length += 1 + c->m_name.length();
    Vector<char> buffer;
    TRY(buffer.try_resize(length));
    usize end = length;
    for (Custody const* c = this; c && !c->is_root(); c = c->parent()) {
        usize n = c->m_name.length();
        end -= n;
        if (n)
            memcpy(buffer.data() + end, c->m_name.c_str(), n);
        buffer[--end] = '/';
    }
    return String::try_create(StringView(buffer.data(), length));
}
