// Port of Linux's kernel/bpf/bpf_lru_list.c (see LruList.h for the design and locking).
#include "bpf/maps/LruList.h"
#include <new>

namespace bpf {

namespace {

constexpr u32 local_free_target = 128;
constexpr u32 local_nr_scans = local_free_target;
constexpr u32 percpu_free_target = 4;
constexpr u32 percpu_nr_scans = percpu_free_target;

void list_init(ListHead* head) { head->next = head->prev = head; }
bool list_empty(ListHead const* head) { return head->next == head; }
void list_add(ListHead* node, ListHead* head)
{
    ListHead* next = head->next;
    next->prev = node;
    node->next = next;
    node->prev = head;
    head->next = node;
}
void list_del(ListHead* node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
}
void list_move(ListHead* node, ListHead* head)
{
    list_del(node);
    list_add(node, head);
}
LruNode* node_of(ListHead* list) { return reinterpret_cast<LruNode*>(list); }
bool is_local_type(u8 type) { return type >= Lru::LocalFree; }

}

Lru::~Lru()
{
    delete[] m_local;
    delete[] m_percpu_sets;
}

void Lru::init_list_set(ListSet& set)
{
    for (auto& list : set.lists)
        list_init(&list);
    set.counts[0] = set.counts[1] = 0;
    set.next_inactive_rotation = &set.lists[Inactive];
}

ErrorOr<void> Lru::init(bool percpu, u32 possible_cpus, DeleteFromTable delete_from_table, void* owner)
{
    m_percpu = percpu;
    m_cpus = possible_cpus ? possible_cpus : 1;
    m_delete_from_table = delete_from_table;
    m_owner = owner;
    if (percpu) {
        m_percpu_sets = new (std::nothrow) ListSet[m_cpus];
        if (!m_percpu_sets)
            return Error(ENOMEM);
        for (u32 cpu = 0; cpu < m_cpus; ++cpu)
            init_list_set(m_percpu_sets[cpu]);
        m_nr_scans = percpu_nr_scans;
    } else {
        m_local = new (std::nothrow) LocalList[m_cpus];
        if (!m_local)
            return Error(ENOMEM);
        for (u32 cpu = 0; cpu < m_cpus; ++cpu) {
            list_init(&m_local[cpu].lists[0]);
            list_init(&m_local[cpu].lists[1]);
            m_local[cpu].next_steal = cpu;
        }
        init_list_set(m_common);
        m_nr_scans = local_nr_scans;
    }
    return {};
}

void Lru::move_to_free(ListSet& l, LruNode* node, ListHead* free_list, u8 target_type)
{
    if (is_local_type(node->type))
        return;
    if (&node->list == l.next_inactive_rotation)
        l.next_inactive_rotation = l.next_inactive_rotation->prev;
    if (node->type < 2)
        l.counts[node->type]--;
    node->type = target_type;
    list_move(&node->list, free_list);
}

void Lru::move_in(ListSet& l, LruNode* node, u8 target_type)
{
    if (!is_local_type(node->type) || is_local_type(target_type))
        return;
    if (target_type < 2)
        l.counts[target_type]++;
    node->type = target_type;
    node->ref = 0;
    list_move(&node->list, &l.lists[target_type]);
}

void Lru::move(ListSet& l, LruNode* node, u8 target_type)
{
    if (is_local_type(node->type) || is_local_type(target_type))
        return;
    if (node->type != target_type) {
        if (node->type < 2)
            l.counts[node->type]--;
        if (target_type < 2)
            l.counts[target_type]++;
        node->type = target_type;
    }
    node->ref = 0;
    if (&node->list == l.next_inactive_rotation)
        l.next_inactive_rotation = l.next_inactive_rotation->prev;
    list_move(&node->list, &l.lists[target_type]);
}

void Lru::rotate_active(ListSet& l)
{
    ListHead* active = &l.lists[Active];
    if (list_empty(active))
        return;
    LruNode* first = node_of(active->next);
    u32 i = 0;
    for (ListHead *cur = active->prev, *prev = cur->prev; cur != active; cur = prev, prev = cur->prev) {
        LruNode* node = node_of(cur);
        move(l, node, node->ref ? Active : Inactive);
        if (++i == m_nr_scans || node == first)
            break;
    }
}

void Lru::rotate_inactive(ListSet& l)
{
    ListHead* inactive = &l.lists[Inactive];
    if (list_empty(inactive))
        return;
    ListHead* last = l.next_inactive_rotation->next;
    if (last == inactive)
        last = last->next;
    ListHead* cur = l.next_inactive_rotation;
    ListHead* next = cur;
    u32 i = 0;
    while (i < m_nr_scans) {
        if (cur == inactive) {
            cur = cur->prev;
            continue;
        }
        LruNode* node = node_of(cur);
        next = cur->prev;
        if (node->ref)
            move(l, node, Active);
        if (cur == last)
            break;
        cur = next;
        i++;
    }
    l.next_inactive_rotation = next;
}

u32 Lru::shrink_inactive(ListSet& l, u32 target, ListHead* free_list, u8 target_type)
{
    ListHead* inactive = &l.lists[Inactive];
    u32 shrunk = 0;
    u32 i = 0;
    for (ListHead *cur = inactive->prev, *prev = cur->prev; cur != inactive; cur = prev, prev = cur->prev) {
        LruNode* node = node_of(cur);
        if (node->ref) {
            move(l, node, Active);
        } else if (m_delete_from_table(m_owner, node)) {
            move_to_free(l, node, free_list, target_type);
            if (++shrunk == target)
                break;
        }
        if (++i == m_nr_scans)
            break;
    }
    return shrunk;
}

void Lru::rotate(ListSet& l)
{
    if (l.counts[Inactive] < l.counts[Active])
        rotate_active(l);
    rotate_inactive(l);
}

u32 Lru::shrink(ListSet& l, u32 target, ListHead* free_list, u8 target_type)
{
    u32 shrunk = shrink_inactive(l, target, free_list, target_type);
    if (shrunk)
        return shrunk;
    ListHead* force = !list_empty(&l.lists[Inactive]) ? &l.lists[Inactive] : &l.lists[Active];
    for (ListHead *cur = force->prev, *prev = cur->prev; cur != force; cur = prev, prev = cur->prev) {
        LruNode* node = node_of(cur);
        if (m_delete_from_table(m_owner, node)) {
            move_to_free(l, node, free_list, target_type);
            return 1;
        }
    }
    return 0;
}

void Lru::local_flush(ListSet& l, LocalList& local)
{
    ListHead* pending = &local.lists[1];
    for (ListHead *cur = pending->prev, *prev = cur->prev; cur != pending; cur = prev, prev = cur->prev) {
        LruNode* node = node_of(cur);
        move_in(l, node, node->ref ? Active : Inactive);
    }
}

void Lru::pop_free_to_local(LocalList& local)
{
    ListSet& l = m_common;
    u64 state = l.lock.lock();
    local_flush(l, local);
    rotate(l);
    u32 nfree = 0;
    ListHead* free = &l.lists[Free];
    for (ListHead *cur = free->next, *next = cur->next; cur != free; cur = next, next = cur->next) {
        move_to_free(l, node_of(cur), &local.lists[0], LocalFree);
        if (++nfree == m_target_free)
            break;
    }
    if (nfree < m_target_free)
        shrink(l, m_target_free - nfree, &local.lists[0], LocalFree);
    l.lock.unlock(state);
}

void Lru::local_add_pending(LocalList& local, u32 cpu, LruNode* node)
{
    node->cpu = static_cast<u16>(cpu);
    node->type = LocalPending;
    node->ref = 0;
    list_add(&node->list, &local.lists[1]);
}

LruNode* Lru::local_pop_free(LocalList& local)
{
    ListHead* free = &local.lists[0];
    if (list_empty(free))
        return nullptr;
    ListHead* first = free->next;
    list_del(first);
    return node_of(first);
}

LruNode* Lru::local_pop_pending(LocalList& local)
{
    ListHead* pending = &local.lists[1];
    for (int pass = 0; pass < 2; ++pass) {
        bool force = pass == 1;
        for (ListHead* cur = pending->prev; cur != pending; cur = cur->prev) {
            LruNode* node = node_of(cur);
            if ((!node->ref || force) && m_delete_from_table(m_owner, node)) {
                list_del(&node->list);
                return node;
            }
        }
    }
    return nullptr;
}

LruNode* Lru::percpu_pop_free(u32 cpu)
{
    ListSet& l = m_percpu_sets[cpu];
    u64 state = l.lock.lock();
    rotate(l);
    ListHead* free = &l.lists[Free];
    if (list_empty(free))
        shrink(l, percpu_free_target, free, Free);
    LruNode* node = nullptr;
    if (!list_empty(free)) {
        node = node_of(free->next);
        node->ref = 0;
        move(l, node, Inactive);
    }
    l.lock.unlock(state);
    return node;
}

LruNode* Lru::common_pop_free(u32 cpu)
{
    LocalList& local = m_local[cpu];
    u64 state = local.lock.lock();
    LruNode* node = local_pop_free(local);
    if (!node) {
        pop_free_to_local(local);
        node = local_pop_free(local);
    }
    if (node)
        local_add_pending(local, cpu, node);
    local.lock.unlock(state);
    if (node)
        return node;

    // Nothing free locally or globally: steal from the CPUs' local lists, round robin.
    u32 first_steal = local.next_steal;
    u32 steal = first_steal;
    do {
        LocalList& victim = m_local[steal];
        u64 victim_state = victim.lock.lock();
        node = local_pop_free(victim);
        if (!node)
            node = local_pop_pending(victim);
        victim.lock.unlock(victim_state);
        steal = (steal + 1) % m_cpus;
    } while (!node && steal != first_steal);
    local.next_steal = steal;
    if (node) {
        state = local.lock.lock();
        local_add_pending(local, cpu, node);
        local.lock.unlock(state);
    }
    return node;
}

LruNode* Lru::pop_free(u32 cpu)
{
    if (cpu >= m_cpus)
        cpu = 0;
    return m_percpu ? percpu_pop_free(cpu) : common_pop_free(cpu);
}

void Lru::push_free(LruNode* node)
{
    if (m_percpu) {
        ListSet& l = m_percpu_sets[node->cpu];
        u64 state = l.lock.lock();
        move(l, node, Free);
        l.lock.unlock(state);
        return;
    }
    if (node->type == Free || node->type == LocalFree)
        return;
    if (node->type == LocalPending) {
        LocalList& local = m_local[node->cpu];
        u64 state = local.lock.lock();
        if (node->type == LocalPending) {
            node->type = LocalFree;
            node->ref = 0;
            list_move(&node->list, &local.lists[0]);
            local.lock.unlock(state);
            return;
        }
        local.lock.unlock(state);
    }
    u64 state = m_common.lock.lock();
    move(m_common, node, Free);
    m_common.lock.unlock(state);
}

void Lru::populate(u8* buffer, u32 node_offset, u32 element_size, u32 nr_elements)
{
    if (!m_percpu) {
        for (u32 i = 0; i < nr_elements; ++i) {
            auto* node = reinterpret_cast<LruNode*>(buffer + static_cast<u64>(i) * element_size + node_offset);
            node->type = Free;
            node->ref = 0;
            node->cpu = 0;
            list_add(&node->list, &m_common.lists[Free]);
        }
        u32 share = (nr_elements / m_cpus) / 2;
        m_target_free = share < 1 ? 1 : (share > local_free_target ? local_free_target : share);
        return;
    }
    u32 per_cpu = nr_elements / m_cpus;
    u32 i = 0;
    for (u32 cpu = 0; cpu < m_cpus && i < nr_elements; ++cpu) {
        ListSet& l = m_percpu_sets[cpu];
        for (;;) {
            auto* node = reinterpret_cast<LruNode*>(buffer + static_cast<u64>(i) * element_size + node_offset);
            node->cpu = static_cast<u16>(cpu);
            node->type = Free;
            node->ref = 0;
            list_add(&node->list, &l.lists[Free]);
            i++;
            if (i == nr_elements)
                break;
            if (per_cpu == 0 || i % per_cpu == 0)
                break;
        }
    }
}

}
