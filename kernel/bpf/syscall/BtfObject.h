// BtfObject: a BTF blob loaded with BPF_BTF_LOAD — the parsed Btf plus its id (BTF_GET_NEXT_ID,
// BTF_GET_FD_BY_ID, bpf_btf_info.id). Maps and programs that were given a btf_fd keep a
// reference. The id is released when the last reference goes.
#pragma once

#include "bpf/syscall/BpfObject.h"
#include "bpf/syscall/Btf.h"
#include "bpf/syscall/IdRegistry.h"

namespace bpf::kernel {

class BtfObject final : public BpfObject {
public:
    // Takes ownership of the parsed BTF and registers an id (ENOSPC when none is left).
    static ErrorOr<RefPtr<BtfObject>> create(Btf&& btf);
    ~BtfObject() override;

    Btf const& btf() const { return m_btf; }
    u32 id() const { return m_id; }

    static IdRegistry<BtfObject>& registry();

private:
    explicit BtfObject(Btf&& btf)
        : m_btf(move(btf))
    {
    }

    Btf m_btf;
    u32 m_id { 0 };
};

}
