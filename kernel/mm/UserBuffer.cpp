// UserBuffer: routes to the checked user copies or to plain kernel memcpy.
#include "mm/UserBuffer.h"
#include "klib/CString.h"

ErrorOr<void> UserBuffer::write(void const* src, usize length, usize offset) const
{
    if (offset > m_size || length > m_size - offset)
        return Error(EFAULT);
    if (m_is_user)
        return copy_to_user(m_address + offset, src, length);
    memcpy(reinterpret_cast<void*>(m_address + offset), src, length);
    return {};
}

ErrorOr<void> UserBuffer::read(void* dest, usize length, usize offset) const
{
    if (offset > m_size || length > m_size - offset)
        return Error(EFAULT);
    if (m_is_user)
        return copy_from_user(dest, m_address + offset, length);
    memcpy(dest, reinterpret_cast<void const*>(m_address + offset), length);
    return {};
}

ErrorOr<void> UserBuffer::fill_zero(usize length, usize offset) const
{
    if (offset > m_size || length > m_size - offset)
        return Error(EFAULT);
    if (m_is_user)
        return clear_user(m_address + offset, length);
    memset(reinterpret_cast<void*>(m_address + offset), 0, length);
    return {};
}
