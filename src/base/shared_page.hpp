#pragma once
// An object on a page shared (not copied) by the fork or clone that makes a
// child: the child writes it without a system call, for its parent to read
// once the child has failed or gone.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

namespace hull {

// Maps and unmaps the page; `what` names it in the error.
void* map_shared_page(size_t size, const char* what);
void unmap_shared_page(void* page, size_t size) noexcept;

template <class T>
class SharedPage {
  static_assert(std::atomic<uint32_t>::is_always_lock_free, "shared between processes");

 public:
  explicit SharedPage(const char* what) : object_(new (map_shared_page(sizeof(T), what)) T{}) {}
  ~SharedPage() {
    object_->~T();
    unmap_shared_page(object_, sizeof(T));
  }
  SharedPage(const SharedPage&) = delete;
  SharedPage& operator=(const SharedPage&) = delete;

  T* operator->() const noexcept { return object_; }
  T& operator*() const noexcept { return *object_; }

 private:
  T* object_;
};

}  // namespace hull
