// The inline caches of one compiled code object (attribute, method and global sites): made
// while the code is emitted, owned with its machine code and freed with it. A compile that
// is retried or refused drops its arena, so emission has no lasting side effects.
#pragma once

#include <memory>
#include <vector>

namespace pyjion::rt {

class CacheArena {
 public:
  // A new value-initialised T that lives as long as the arena.
  template <class T>
  T* New() {
    T* p = new T();
    owned_.emplace_back(p, [](void* q) { delete static_cast<T*>(q); });
    return p;
  }
  size_t size() const { return owned_.size(); }

 private:
  std::vector<std::unique_ptr<void, void (*)(void*)>> owned_;
};

}  // namespace pyjion::rt
