// BtfObject (see BtfObject.h).
#include "bpf/syscall/BtfObject.h"

namespace bpf::kernel {

IdRegistry<BtfObject>& BtfObject::registry()
{
    static IdRegistry<BtfObject> s_registry;
    return s_registry;
}

ErrorOr<RefPtr<BtfObject>> BtfObject::create(Btf&& btf)
{
    auto* object = new (std::nothrow) BtfObject(move(btf));
    if (!object)
        return Error(ENOMEM);
    auto ref = RefPtr<BtfObject>::adopt(object);
    object->m_id = TRY(registry().allocate(object));
    return ref;
}

BtfObject::~BtfObject() { registry().release(m_id); }

}
