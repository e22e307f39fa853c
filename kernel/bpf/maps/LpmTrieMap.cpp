// BPF_MAP_TYPE_LPM_TRIE (see LpmTrieMap.h); ported from Linux's kernel/bpf/lpm_trie.c.
#include "bpf/maps/LpmTrieMap.h"
#include "klib/CString.h"

namespace bpf {

namespace {
constexpr u32 data_size_max = 256;
constexpr u32 data_size_min = 1;
constexpr u32 key_header = 4; // offsetof(struct bpf_lpm_trie_key_u8, data)
constexpr u64 linux_node_size = 24; // sizeof(struct lpm_trie_node)
constexpr u64 value_size_max = kmalloc_max_size - data_size_max - linux_node_size;
}

ErrorOr<RefPtr<Map>> LpmTrieMap::try_create(MapAttributes const& a)
{
    constexpr u32 create_flag_mask = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | bpf_f_access_mask;
    bool access_ok = (a.map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) != (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
    if (a.max_entries == 0 || !(a.map_flags & BPF_F_NO_PREALLOC) || (a.map_flags & ~create_flag_mask) || !access_ok
        || a.key_size < key_header + data_size_min || a.key_size > key_header + data_size_max || a.value_size < 1 || a.value_size > value_size_max)
        return Error(EINVAL);
    auto* trie = new (std::nothrow) LpmTrieMap(a);
    if (!trie)
        return Error(ENOMEM);
    auto ref = RefPtr<Map>::adopt(trie);
    u64 node_size = klib::align_up(sizeof(Node) + trie->m_data_size + a.value_size, 8);
    TRY(trie->m_pool.init(static_cast<u32>(node_size), 0, true));
    return ref;
}

LpmTrieMap::LpmTrieMap(MapAttributes const& a)
    : Map(a)
    , m_data_size(a.key_size - key_header)
    , m_max_prefixlen((a.key_size - key_header) * 8)
{
}

u32 LpmTrieMap::longest_prefix_match(Node* node, u32 key_prefixlen, u8 const* key_data) const
{
    u32 limit = node->prefixlen < key_prefixlen ? node->prefixlen : key_prefixlen;
    u32 prefixlen = 0;
    u8 const* node_data = data_of(node);
    for (u32 i = 0; i < m_data_size; ++i) {
        u8 diff = node_data[i] ^ key_data[i];
        if (diff) {
            prefixlen += static_cast<u32>(__builtin_clz(static_cast<u32>(diff)) - 24);
            return prefixlen < limit ? prefixlen : limit;
        }
        prefixlen += 8;
        if (prefixlen >= limit)
            return limit;
    }
    return prefixlen < limit ? prefixlen : limit;
}

LpmTrieMap::Node* LpmTrieMap::allocate_node(void const* value)
{
    auto* node = reinterpret_cast<Node*>(m_pool.allocate());
    if (!node)
        return nullptr;
    node->child[0] = node->child[1] = nullptr;
    node->flags = 0;
    if (value)
        memcpy(value_of(node), value, m_value_size);
    return node;
}

void* LpmTrieMap::lookup_elem(void const* key_pointer)
{
    auto const* key = static_cast<u8 const*>(key_pointer);
    u32 key_prefixlen = *reinterpret_cast<u32 const*>(key);
    u8 const* key_data = key + key_header;
    if (key_prefixlen > m_max_prefixlen)
        return nullptr;
    SpinlockGuard guard(m_lock);
    Node* found = nullptr;
    for (Node* node = m_root; node;) {
        u32 matchlen = longest_prefix_match(node, key_prefixlen, key_data);
        if (matchlen == m_max_prefixlen) {
            found = node;
            break;
        }
        if (matchlen < node->prefixlen)
            break;
        if (!(node->flags & flag_intermediate))
            found = node;
        node = node->child[extract_bit(key_data, node->prefixlen)];
    }
    return found ? value_of(found) : nullptr;
}

i64 LpmTrieMap::check_add_element(u64 flags)
{
    if (flags == BPF_EXIST)
        return -ENOENT;
    if (m_entries == m_max_entries)
        return -ENOSPC;
    m_entries++;
    return 0;
}

i64 LpmTrieMap::update_elem(void const* key_pointer, void const* value, u64 flags)
{
    if (flags > BPF_EXIST)
        return -EINVAL;
    auto const* key = static_cast<u8 const*>(key_pointer);
    u32 key_prefixlen = *reinterpret_cast<u32 const*>(key);
    u8 const* key_data = key + key_header;
    if (key_prefixlen > m_max_prefixlen)
        return -EINVAL;
    Node* fresh = allocate_node(value);
    Node* intermediate = allocate_node(nullptr);
    if (!fresh || !intermediate) {
        if (fresh)
            free_node(fresh);
        if (intermediate)
            free_node(intermediate);
        return -ENOMEM;
    }
    fresh->prefixlen = key_prefixlen;
    memcpy(data_of(fresh), key_data, m_data_size);

    Node* to_free = nullptr;
    i64 result = 0;
    bool used_intermediate = false;
    {
        SpinlockGuard guard(m_lock);
        Node** slot = &m_root;
        Node* node;
        u32 matchlen = 0;
        while ((node = *slot)) {
            matchlen = longest_prefix_match(node, key_prefixlen, key_data);
            if (node->prefixlen != matchlen || node->prefixlen == key_prefixlen)
                break;
            slot = &node->child[extract_bit(key_data, node->prefixlen)];
        }
        if (!node) {
            result = check_add_element(flags);
            if (!result)
                *slot = fresh;
        } else if (node->prefixlen == matchlen) {
            // Same prefix: replace the node (an intermediate node becomes a real entry).
            if (!(node->flags & flag_intermediate)) {
                if (flags == BPF_NOEXIST)
                    result = -EEXIST;
            } else {
                result = check_add_element(flags);
            }
            if (!result) {
                fresh->child[0] = node->child[0];
                fresh->child[1] = node->child[1];
                *slot = fresh;
                to_free = node;
            }
        } else {
            result = check_add_element(flags);
            if (!result) {
                if (matchlen == key_prefixlen) {
                    // The new prefix covers the node: insert it as the node's parent.
                    fresh->child[extract_bit(data_of(node), matchlen)] = node;
                    *slot = fresh;
                } else {
                    intermediate->prefixlen = matchlen;
                    intermediate->flags = flag_intermediate;
                    memcpy(data_of(intermediate), data_of(node), m_data_size);
                    if (extract_bit(key_data, matchlen)) {
                        intermediate->child[0] = node;
                        intermediate->child[1] = fresh;
                    } else {
                        intermediate->child[0] = fresh;
                        intermediate->child[1] = node;
                    }
                    *slot = intermediate;
                    used_intermediate = true;
                }
            }
        }
    }
    if (result)
        free_node(fresh);
    if (!used_intermediate)
        free_node(intermediate);
    if (to_free)
        free_node(to_free);
    return result;
}

i64 LpmTrieMap::delete_elem(void const* key_pointer)
{
    auto const* key = static_cast<u8 const*>(key_pointer);
    u32 key_prefixlen = *reinterpret_cast<u32 const*>(key);
    u8 const* key_data = key + key_header;
    if (key_prefixlen > m_max_prefixlen)
        return -EINVAL;
    Node* free_a = nullptr;
    Node* free_b = nullptr;
    {
        SpinlockGuard guard(m_lock);
        Node** trim = &m_root;
        Node** trim2 = &m_root;
        Node* parent = nullptr;
        Node* node;
        u32 matchlen = 0;
        while ((node = *trim)) {
            matchlen = longest_prefix_match(node, key_prefixlen, key_data);
            if (node->prefixlen != matchlen || node->prefixlen == key_prefixlen)
                break;
            parent = node;
            trim2 = trim;
            trim = &node->child[extract_bit(key_data, node->prefixlen)];
        }
        if (!node || node->prefixlen != key_prefixlen || node->prefixlen != matchlen || (node->flags & flag_intermediate))
            return -ENOENT;
        m_entries--;
        if (node->child[0] && node->child[1]) {
            node->flags |= flag_intermediate;
        } else if (parent && (parent->flags & flag_intermediate) && !node->child[0] && !node->child[1]) {
            *trim2 = node == parent->child[0] ? parent->child[1] : parent->child[0];
            free_a = parent;
            free_b = node;
        } else {
            *trim = node->child[0] ? node->child[0] : node->child[1];
            free_b = node;
        }
    }
    if (free_a)
        free_node(free_a);
    if (free_b)
        free_node(free_b);
    return 0;
}

ErrorOr<void> LpmTrieMap::next_key(void const* key_pointer, void* next_pointer)
{
    auto const* key = static_cast<u8 const*>(key_pointer);
    // The path from the root to the key's node (at most max_prefixlen + 1 nodes).
    // Process context: the general heap is fine (Linux kmallocs this too).
    struct Stack {
        Node** nodes;
        ~Stack() { delete[] nodes; }
    } path { new (std::nothrow) Node*[m_max_prefixlen + 1] };
    SpinlockGuard guard(m_lock);
    Node* search_root = m_root;
    if (!search_root)
        return Error(ENOENT);
    Node* next_node = nullptr;
    u32 key_prefixlen = key ? *reinterpret_cast<u32 const*>(key) : 0;
    if (key && key_prefixlen <= m_max_prefixlen) {
        u8 const* key_data = key + key_header;
        if (!path.nodes)
            return Error(ENOMEM);
        Node** stack = path.nodes;
        int top = -1;
        Node* node;
        u32 matchlen = 0;
        for (node = search_root; node;) {
            stack[++top] = node;
            matchlen = longest_prefix_match(node, key_prefixlen, key_data);
            if (node->prefixlen != matchlen || node->prefixlen == key_prefixlen)
                break;
            node = node->child[extract_bit(key_data, node->prefixlen)];
        }
        if (node && node->prefixlen == matchlen && !(node->flags & flag_intermediate)) {
            // Exact key found: the next node in post order.
            node = stack[top];
            search_root = nullptr;
            while (top > 0) {
                Node* parent = stack[top - 1];
                if (parent->child[0] == node && parent->child[1]) {
                    search_root = parent->child[1];
                    break;
                }
                if (!(parent->flags & flag_intermediate)) {
                    next_node = parent;
                    break;
                }
                node = parent;
                top--;
            }
            if (!search_root && !next_node)
                return Error(ENOENT);
        }
    }
    if (!next_node) {
        // Leftmost non-intermediate node in post order below search_root.
        for (Node* node = search_root; node;) {
            if (node->flags & flag_intermediate) {
                node = node->child[0];
            } else {
                next_node = node;
                node = node->child[0];
                if (!node)
                    node = next_node->child[1];
            }
        }
    }
    auto* out = static_cast<u8*>(next_pointer);
    *reinterpret_cast<u32*>(out) = next_node->prefixlen;
    memcpy(out + key_header, data_of(next_node), m_data_size);
    return {};
}

}
