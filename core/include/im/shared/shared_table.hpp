#pragma once
// A hash table in host shared memory: created once before the host forks, then
// used by every worker and timer process. Each bucket has its own host lock;
// entries, buckets and the control block all come from the host allocator so
// that every process sees the same data. See docs/shared-state.md.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "im/shared/shared_memory.hpp"

namespace im::shared {

inline constexpr std::size_t kDefaultMaxKeyLength = 255;
// Above this a bucket array is a configuration mistake, not a table.
inline constexpr std::size_t kMaxBucketCount = std::size_t{1} << 24;
inline constexpr std::size_t kUnlimitedEntries = std::numeric_limits<std::size_t>::max();

namespace detail {
// Same result in every process (unlike a seeded hash): FNV-1a, then mixed so
// that the low bits, which pick the bucket, depend on every byte.
std::uint64_t hash_key(std::string_view key) noexcept;
// The power of two at or above `requested` (at least 1); 0 above kMaxBucketCount.
std::size_t bucket_count_for(std::size_t requested) noexcept;
}  // namespace detail

// Value must be trivially copyable and must not point into process-private
// memory (no std::string, no pointers to pkg/heap memory): it is copied
// byte-wise into memory that other processes read.
//
// The handle is a process-local view (two pointers) and stays valid in forked
// children. Destroying the handle frees nothing, because handles are copied
// into every process by fork and exit in every one of them; the one owner
// calls destroy() when no other process uses the table any more.
//
// Callbacks given to update/upsert/erase_if run while the bucket lock is held:
// they must be short and must not use this table (host locks are not
// recursive). for_each calls its callback with no lock held.
template <typename Value, std::size_t MaxKeyLength = kDefaultMaxKeyLength>
class SharedTable {
    static_assert(std::is_trivially_copyable_v<Value>, "values are copied byte-wise between processes");
    static_assert(std::is_copy_assignable_v<Value>, "put and update replace values in place");
    static_assert(alignof(Value) <= kHostAlignment, "host memory is only aligned to IM_SHM_ALIGNMENT");
    static_assert(MaxKeyLength <= std::numeric_limits<std::uint16_t>::max(), "key length is stored in 16 bits");
    static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "the size counter must work across processes");

public:
    static constexpr std::size_t kMaxKeyLength = MaxKeyLength;

    // A table of bucket_count buckets (rounded up to a power of two) holding at
    // most max_entries entries. std::nullopt when the host is out of memory or
    // locks, or bucket_count exceeds kMaxBucketCount.
    static std::optional<SharedTable> create(SharedMemory memory, std::size_t bucket_count,
                                             std::size_t max_entries = kUnlimitedEntries) noexcept;

    SharedTable(const SharedTable &) = delete;
    SharedTable &operator=(const SharedTable &) = delete;
    SharedTable(SharedTable &&other) noexcept : memory_(other.memory_), control_(std::exchange(other.control_, nullptr)) {}
    SharedTable &operator=(SharedTable &&other) noexcept
    {
        memory_ = other.memory_;
        control_ = std::exchange(other.control_, nullptr);
        return *this;
    }
    ~SharedTable() = default;  // frees nothing: see destroy()

    // Frees every entry, lock and the table itself; afterwards this handle is
    // empty. Only once, in one process, when no other process uses the table.
    void destroy() noexcept;

    // False after destroy() or when moved from; every operation then fails.
    bool valid() const noexcept { return control_ != nullptr; }

    static bool key_fits(std::string_view key) noexcept { return key.size() <= MaxKeyLength; }

    // Inserts or replaces. False when the key is too long, the table is full or
    // the host is out of memory.
    bool put(std::string_view key, const Value &value) noexcept;

    std::optional<Value> get(std::string_view key) const noexcept;

    // fn(const Value &) applied under the bucket lock, its result returned:
    // reads part of a value without copying all of it out.
    template <typename Fn>
    auto read(std::string_view key, Fn &&fn) const -> std::optional<std::invoke_result_t<Fn &, const Value &>>;

    // Applies fn(Value &) to the stored value under the bucket lock; the value
    // changes only if fn returns normally. False when the key is absent.
    template <typename Fn>
    bool update(std::string_view key, Fn &&fn);

    // Like update, but an absent key is inserted as `initial` after fn has been
    // applied to it, all under one lock hold (so concurrent first uses of a key
    // cannot both insert). False when the key is too long, the table is full or
    // the host is out of memory.
    template <typename Fn>
    bool upsert(std::string_view key, const Value &initial, Fn &&fn);

    // True when the key was there.
    bool erase(std::string_view key) noexcept;

    // Removes every entry for which pred(std::string_view key, const Value &)
    // is true; returns how many. For timers purging expired entries.
    template <typename Pred>
    std::size_t erase_if(Pred &&pred);

    // Calls fn(std::string_view key, const Value &) for every entry. Each
    // bucket is copied out under its lock and visited after the lock is
    // released, so fn sees a consistent bucket (not a consistent table) and
    // may use the table. May throw std::bad_alloc (process-local copy).
    template <typename Fn>
    void for_each(Fn &&fn) const;

    // Number of entries in every process's view.
    std::size_t size() const noexcept
    {
        return control_ != nullptr ? static_cast<std::size_t>(control_->size.load(std::memory_order_relaxed)) : 0;
    }

    std::size_t bucket_count() const noexcept { return control_ != nullptr ? control_->bucket_mask + 1 : 0; }

private:
    // One host allocation: this header, then the key bytes.
    struct Entry {
        Entry *next;
        std::uint64_t hash;
        std::uint16_t key_length;
        Value value;

        const char *key_bytes() const noexcept { return reinterpret_cast<const char *>(this) + sizeof(Entry); }
        char *key_bytes() noexcept { return reinterpret_cast<char *>(this) + sizeof(Entry); }
        std::string_view key() const noexcept { return {key_bytes(), key_length}; }
        bool holds(std::uint64_t other_hash, std::string_view other_key) const noexcept
        {
            return hash == other_hash && key_length == other_key.size() &&
                   std::memcmp(key_bytes(), other_key.data(), other_key.size()) == 0;
        }
    };

    struct Bucket {
        HostLock lock = nullptr;
        Entry *head = nullptr;
    };

    struct Control {
        std::atomic<std::uint64_t> size{0};  // entries plus inserts in progress
        std::size_t bucket_mask = 0;
        std::size_t max_entries = 0;
        Bucket *buckets = nullptr;
    };

    SharedTable(SharedMemory memory, Control *control) noexcept : memory_(memory), control_(control) {}

    // Frees the first lock_count locks, the bucket array and the control block.
    static void release(SharedMemory memory, Control *control, std::size_t lock_count) noexcept;

    Bucket &bucket_of(std::uint64_t hash) const noexcept { return control_->buckets[hash & control_->bucket_mask]; }

    static Entry *find(const Bucket &bucket, std::uint64_t hash, std::string_view key) noexcept
    {
        for (Entry *entry = bucket.head; entry != nullptr; entry = entry->next)
            if (entry->holds(hash, key))
                return entry;
        return nullptr;
    }

    // Links a new entry at the head of the (locked) bucket; false when the
    // table is full or the host is out of memory.
    bool insert(Bucket &bucket, std::uint64_t hash, std::string_view key, const Value &value) noexcept;
    void free_entry(Entry *entry) const noexcept { memory_.destroy(entry); }

    SharedMemory memory_;
    Control *control_;
};

template <typename Value, std::size_t MaxKeyLength>
std::optional<SharedTable<Value, MaxKeyLength>> SharedTable<Value, MaxKeyLength>::create(
    SharedMemory memory, std::size_t bucket_count, std::size_t max_entries) noexcept
{
    const std::size_t buckets = detail::bucket_count_for(bucket_count);
    if (buckets == 0 || !memory.usable())
        return std::nullopt;
    Control *control = memory.create<Control>();
    if (control == nullptr)
        return std::nullopt;
    control->bucket_mask = buckets - 1;
    control->max_entries = max_entries;
    void *array = memory.allocate(buckets * sizeof(Bucket));
    if (array == nullptr) {
        release(memory, control, 0);
        return std::nullopt;
    }
    control->buckets = static_cast<Bucket *>(array);
    for (std::size_t i = 0; i < buckets; ++i) {
        Bucket *bucket = ::new (&control->buckets[i]) Bucket{};
        bucket->lock = memory.create_lock();
        if (bucket->lock == nullptr) {
            release(memory, control, i);
            return std::nullopt;
        }
    }
    return SharedTable(memory, control);
}

template <typename Value, std::size_t MaxKeyLength>
void SharedTable<Value, MaxKeyLength>::release(SharedMemory memory, Control *control, std::size_t lock_count) noexcept
{
    if (control->buckets != nullptr) {
        for (std::size_t i = 0; i < lock_count; ++i)
            memory.destroy_lock(control->buckets[i].lock);
        memory.deallocate(control->buckets);
    }
    memory.destroy(control);
}

template <typename Value, std::size_t MaxKeyLength>
void SharedTable<Value, MaxKeyLength>::destroy() noexcept
{
    if (control_ == nullptr)
        return;
    const std::size_t buckets = control_->bucket_mask + 1;
    for (std::size_t i = 0; i < buckets; ++i) {
        Entry *entry = control_->buckets[i].head;
        while (entry != nullptr)
            free_entry(std::exchange(entry, entry->next));
    }
    release(memory_, control_, buckets);
    control_ = nullptr;
}

template <typename Value, std::size_t MaxKeyLength>
bool SharedTable<Value, MaxKeyLength>::insert(Bucket &bucket, std::uint64_t hash, std::string_view key,
                                              const Value &value) noexcept
{
    // Reserve a slot first so that processes inserting at once cannot
    // together pass max_entries.
    if (control_->size.fetch_add(1, std::memory_order_relaxed) >= control_->max_entries) {
        control_->size.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    void *block = memory_.allocate(sizeof(Entry) + key.size());
    if (block == nullptr) {
        control_->size.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    Entry *entry = ::new (block) Entry{bucket.head, hash, static_cast<std::uint16_t>(key.size()), value};
    if (!key.empty())
        std::memcpy(entry->key_bytes(), key.data(), key.size());
    bucket.head = entry;
    return true;
}

template <typename Value, std::size_t MaxKeyLength>
bool SharedTable<Value, MaxKeyLength>::put(std::string_view key, const Value &value) noexcept
{
    if (control_ == nullptr || !key_fits(key))
        return false;
    const std::uint64_t hash = detail::hash_key(key);
    Bucket &bucket = bucket_of(hash);
    LockGuard guard(memory_, bucket.lock);
    if (Entry *entry = find(bucket, hash, key)) {
        entry->value = value;
        return true;
    }
    return insert(bucket, hash, key, value);
}

template <typename Value, std::size_t MaxKeyLength>
std::optional<Value> SharedTable<Value, MaxKeyLength>::get(std::string_view key) const noexcept
{
    return read(key, [](const Value &value) { return value; });
}

template <typename Value, std::size_t MaxKeyLength>
template <typename Fn>
auto SharedTable<Value, MaxKeyLength>::read(std::string_view key, Fn &&fn) const
    -> std::optional<std::invoke_result_t<Fn &, const Value &>>
{
    if (control_ == nullptr || !key_fits(key))
        return std::nullopt;
    const std::uint64_t hash = detail::hash_key(key);
    const Bucket &bucket = bucket_of(hash);
    LockGuard guard(memory_, bucket.lock);
    if (const Entry *entry = find(bucket, hash, key))
        return std::invoke(fn, entry->value);
    return std::nullopt;
}

template <typename Value, std::size_t MaxKeyLength>
template <typename Fn>
bool SharedTable<Value, MaxKeyLength>::update(std::string_view key, Fn &&fn)
{
    static_assert(std::is_invocable_v<Fn &, Value &>, "update takes fn(Value &)");
    if (control_ == nullptr || !key_fits(key))
        return false;
    const std::uint64_t hash = detail::hash_key(key);
    Bucket &bucket = bucket_of(hash);
    LockGuard guard(memory_, bucket.lock);
    Entry *entry = find(bucket, hash, key);
    if (entry == nullptr)
        return false;
    // Work on a copy so that a throwing fn leaves the stored value whole.
    Value working = entry->value;
    std::invoke(fn, working);
    entry->value = working;
    return true;
}

template <typename Value, std::size_t MaxKeyLength>
template <typename Fn>
bool SharedTable<Value, MaxKeyLength>::upsert(std::string_view key, const Value &initial, Fn &&fn)
{
    static_assert(std::is_invocable_v<Fn &, Value &>, "upsert takes fn(Value &)");
    if (control_ == nullptr || !key_fits(key))
        return false;
    const std::uint64_t hash = detail::hash_key(key);
    Bucket &bucket = bucket_of(hash);
    LockGuard guard(memory_, bucket.lock);
    Entry *entry = find(bucket, hash, key);
    Value working = entry != nullptr ? entry->value : initial;
    std::invoke(fn, working);
    if (entry != nullptr) {
        entry->value = working;
        return true;
    }
    return insert(bucket, hash, key, working);
}

template <typename Value, std::size_t MaxKeyLength>
bool SharedTable<Value, MaxKeyLength>::erase(std::string_view key) noexcept
{
    if (control_ == nullptr || !key_fits(key))
        return false;
    const std::uint64_t hash = detail::hash_key(key);
    Bucket &bucket = bucket_of(hash);
    LockGuard guard(memory_, bucket.lock);
    for (Entry **link = &bucket.head; *link != nullptr; link = &(*link)->next) {
        Entry *entry = *link;
        if (entry->holds(hash, key)) {
            *link = entry->next;
            free_entry(entry);
            control_->size.fetch_sub(1, std::memory_order_relaxed);
            return true;
        }
    }
    return false;
}

template <typename Value, std::size_t MaxKeyLength>
template <typename Pred>
std::size_t SharedTable<Value, MaxKeyLength>::erase_if(Pred &&pred)
{
    static_assert(std::is_invocable_r_v<bool, Pred &, std::string_view, const Value &>,
                  "erase_if takes pred(std::string_view, const Value &) -> bool");
    if (control_ == nullptr)
        return 0;
    std::size_t erased = 0;
    const std::size_t buckets = control_->bucket_mask + 1;
    for (std::size_t i = 0; i < buckets; ++i) {
        Bucket &bucket = control_->buckets[i];
        LockGuard guard(memory_, bucket.lock);
        Entry **link = &bucket.head;
        while (*link != nullptr) {
            Entry *entry = *link;
            if (std::invoke(pred, entry->key(), std::as_const(entry->value))) {
                *link = entry->next;
                free_entry(entry);
                control_->size.fetch_sub(1, std::memory_order_relaxed);
                ++erased;
            } else {
                link = &entry->next;
            }
        }
    }
    return erased;
}

template <typename Value, std::size_t MaxKeyLength>
template <typename Fn>
void SharedTable<Value, MaxKeyLength>::for_each(Fn &&fn) const
{
    static_assert(std::is_invocable_v<Fn &, std::string_view, const Value &>,
                  "for_each takes fn(std::string_view, const Value &)");
    if (control_ == nullptr)
        return;
    std::vector<std::pair<std::string, Value>> snapshot;
    const std::size_t buckets = control_->bucket_mask + 1;
    for (std::size_t i = 0; i < buckets; ++i) {
        snapshot.clear();
        {
            const Bucket &bucket = control_->buckets[i];
            LockGuard guard(memory_, bucket.lock);
            for (const Entry *entry = bucket.head; entry != nullptr; entry = entry->next)
                snapshot.emplace_back(entry->key(), entry->value);
        }
        for (const auto &[key, value] : snapshot)
            std::invoke(fn, std::string_view(key), value);
    }
}

}  // namespace im::shared
