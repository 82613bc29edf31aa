#pragma once
// A hash table in host shared memory: created once before the host forks, then
// used by every worker and timer process. Each bucket has its own host lock;
// entries, buckets and the control block all come from the host allocator so
// that every process sees the same data. See docs/shared-state.md.
//
// Writers hold the bucket lock. get() and peek() read without it when the
// host can tell its memory's bounds (im_shm_ops_t.contains): each bucket has a
// version that writers make odd while they change the bucket, and a reader
// keeps what it read only if the version was even and unchanged around its
// read (a sequence lock). Readers then write no shared cache line, which a
// lock word is; that matters when every worker reads the same entries.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <new>
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

    // A copy of the value (read without the lock where the host allows it).
    std::optional<Value> get(std::string_view key) const noexcept;

    // fn(const Value &) applied under the bucket lock, its result returned:
    // reads part of a value without copying all of it out.
    template <typename Fn>
    auto read(std::string_view key, Fn &&fn) const -> std::optional<std::invoke_result_t<Fn &, const Value &>>;

    // Like read, but without the lock where the host allows it: fn may then
    // see a value a writer is changing, or memory freed meanwhile, and what
    // it returned is thrown away and the read tried again. So fn must only
    // copy fields out (no loops over lengths it read, no allocation, no side
    // effects), and return a trivially copyable result.
    template <typename Fn>
    auto peek(std::string_view key, Fn &&fn) const -> std::optional<std::invoke_result_t<Fn &, const Value &>>;

    // A hint, no lookup: asks the CPU to load the buckets of these keys, then
    // the first entry of each, so that lookups of them right after find the
    // cache lines there instead of each waiting for its own misses in turn.
    template <typename Keys>
    void prefetch(const Keys &keys) const noexcept;

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
    // One host allocation: this header, the key bytes, then the value (at its
    // alignment), so that a lookup compares the key on the entry's first
    // cache line and finds a small value's first fields right after it.
    struct Entry {
        std::atomic<Entry *> next;
        std::uint64_t hash;
        std::uint16_t key_length;

        static constexpr std::size_t value_offset(std::size_t key_length) noexcept
        {
            return (sizeof(Entry) + key_length + alignof(Value) - 1) / alignof(Value) * alignof(Value);
        }
        static constexpr std::size_t size_for(std::size_t key_length) noexcept
        {
            return value_offset(key_length) + sizeof(Value);
        }
        const char *key_bytes() const noexcept { return reinterpret_cast<const char *>(this) + sizeof(Entry); }
        char *key_bytes() noexcept { return reinterpret_cast<char *>(this) + sizeof(Entry); }
        std::string_view key() const noexcept { return {key_bytes(), key_length}; }
        const Value &value() const noexcept { return value_after(key_length); }
        // The value of an entry whose key is key_length bytes long; a reader
        // without the lock passes the length it checked, never re-reads it.
        const Value &value_after(std::size_t key_length_seen) const noexcept
        {
            return *std::launder(
                reinterpret_cast<const Value *>(reinterpret_cast<const char *>(this) + value_offset(key_length_seen)));
        }
        Value &value() noexcept
        {
            return *std::launder(reinterpret_cast<Value *>(reinterpret_cast<char *>(this) + value_offset(key_length)));
        }
        bool holds(std::uint64_t other_hash, std::string_view other_key) const noexcept
        {
            return hash == other_hash && key_length == other_key.size() &&
                   std::memcmp(key_bytes(), other_key.data(), other_key.size()) == 0;
        }
    };
    static_assert(alignof(Entry) <= kHostAlignment, "host memory is only aligned to IM_SHM_ALIGNMENT");

    struct Bucket {
        HostLock lock = nullptr;
        std::atomic<Entry *> head{nullptr};
        // Odd while a writer changes this bucket; see peek().
        std::atomic<std::uint32_t> version{0};
    };
    static_assert(std::atomic<std::uint32_t>::is_always_lock_free && std::atomic<Entry *>::is_always_lock_free,
                  "readers in other processes see these without a lock");

    // Marks a bucket as being changed for its scope (the bucket lock held).
    class WriteSection {
    public:
        explicit WriteSection(Bucket &bucket) noexcept : bucket_(bucket)
        {
            bucket_.version.store(bucket_.version.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_release);  // the odd version before any change
        }
        ~WriteSection() { bucket_.version.store(bucket_.version.load(std::memory_order_relaxed) + 1, std::memory_order_release); }
        WriteSection(const WriteSection &) = delete;
        WriteSection &operator=(const WriteSection &) = delete;

    private:
        Bucket &bucket_;
    };

    // What one read without the lock found; `settled` is false when what it
    // saw cannot be trusted (a pointer out of host memory, a chain too long).
    template <typename Result>
    struct Glimpse {
        bool settled = false;
        std::optional<Result> found;
    };
    // A chain longer than this (or a cycle in freed memory) sends the reader to the lock.
    static constexpr std::size_t kMaxGlimpseSteps = 64;
    static constexpr int kGlimpseAttempts = 4;

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

    // With the bucket lock held.
    static Entry *find(const Bucket &bucket, std::uint64_t hash, std::string_view key) noexcept
    {
        for (Entry *entry = bucket.head.load(std::memory_order_relaxed); entry != nullptr;
             entry = entry->next.load(std::memory_order_relaxed))
            if (entry->holds(hash, key))
                return entry;
        return nullptr;
    }

    // Without the lock: every pointer is checked to lie in host memory
    // before it is read through (the entry may have been freed meanwhile).
    template <typename Fn>
    auto glimpse(const Bucket &bucket, std::uint64_t hash, std::string_view key, Fn &fn) const noexcept
        -> Glimpse<std::invoke_result_t<Fn &, const Value &>>;

    // Links a new entry at the head of the (locked) bucket; false when the
    // table is full or the host is out of memory.
    bool insert(Bucket &bucket, std::uint64_t hash, std::string_view key, const Value &value) noexcept;
    void free_entry(Entry *entry) const noexcept { memory_.deallocate(entry); }

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
        Entry *entry = control_->buckets[i].head.load(std::memory_order_relaxed);
        while (entry != nullptr)
            free_entry(std::exchange(entry, entry->next.load(std::memory_order_relaxed)));
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
    void *block = memory_.allocate(Entry::size_for(key.size()));
    if (block == nullptr) {
        control_->size.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    Entry *entry = ::new (block) Entry{};
    entry->next.store(bucket.head.load(std::memory_order_relaxed), std::memory_order_relaxed);
    entry->hash = hash;
    entry->key_length = static_cast<std::uint16_t>(key.size());
    if (!key.empty())
        std::memcpy(entry->key_bytes(), key.data(), key.size());
    ::new (static_cast<void *>(reinterpret_cast<char *>(entry) + Entry::value_offset(key.size()))) Value(value);
    WriteSection section(bucket);
    bucket.head.store(entry, std::memory_order_relaxed);
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
        WriteSection section(bucket);
        entry->value() = value;
        return true;
    }
    return insert(bucket, hash, key, value);
}

template <typename Value, std::size_t MaxKeyLength>
std::optional<Value> SharedTable<Value, MaxKeyLength>::get(std::string_view key) const noexcept
{
    // A whole copy is safe to take from a value being changed: it is kept
    // only once the bucket's version shows that nobody changed it.
    return peek(key, [](const Value &value) { return value; });
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
        return std::invoke(fn, entry->value());
    return std::nullopt;
}

template <typename Value, std::size_t MaxKeyLength>
template <typename Fn>
auto SharedTable<Value, MaxKeyLength>::peek(std::string_view key, Fn &&fn) const
    -> std::optional<std::invoke_result_t<Fn &, const Value &>>
{
    using Result = std::invoke_result_t<Fn &, const Value &>;
    static_assert(std::is_trivially_copyable_v<Result>, "peek may have to throw a result away");
    if (control_ == nullptr || !key_fits(key))
        return std::nullopt;
    const std::uint64_t hash = detail::hash_key(key);
    const Bucket &bucket = bucket_of(hash);
    if (memory_.knows_bounds()) {
        for (int attempt = 0; attempt < kGlimpseAttempts; ++attempt) {
            const std::uint32_t before = bucket.version.load(std::memory_order_acquire);
            if ((before & 1U) != 0)
                continue;  // a writer is at work: look again
            Glimpse<Result> seen = glimpse(bucket, hash, key, fn);
            std::atomic_thread_fence(std::memory_order_acquire);  // what was read, before the version again
            if (bucket.version.load(std::memory_order_relaxed) != before)
                continue;
            if (seen.settled)
                return seen.found;
            break;  // nobody wrote, yet it looked wrong (a long chain): take the lock
        }
    }
    return read(key, fn);
}

template <typename Value, std::size_t MaxKeyLength>
template <typename Fn>
auto SharedTable<Value, MaxKeyLength>::glimpse(const Bucket &bucket, std::uint64_t hash, std::string_view key,
                                               Fn &fn) const noexcept
    -> Glimpse<std::invoke_result_t<Fn &, const Value &>>
{
    Glimpse<std::invoke_result_t<Fn &, const Value &>> seen;
    const Entry *entry = bucket.head.load(std::memory_order_relaxed);
    for (std::size_t step = 0; step < kMaxGlimpseSteps; ++step) {
        if (entry == nullptr) {
            seen.settled = true;
            return seen;
        }
        if (reinterpret_cast<std::uintptr_t>(entry) % alignof(Entry) != 0 || !memory_.contains(entry, sizeof(Entry)))
            return seen;
        if (entry->hash == hash && entry->key_length == key.size()) {
            // The length matched the key's, so the entry's extent is known.
            if (!memory_.contains(entry, Entry::size_for(key.size())))
                return seen;
            if (std::memcmp(entry->key_bytes(), key.data(), key.size()) == 0) {
                seen.found.emplace(std::invoke(fn, entry->value_after(key.size())));
                seen.settled = true;
                return seen;
            }
        }
        entry = entry->next.load(std::memory_order_relaxed);
    }
    return seen;
}

template <typename Value, std::size_t MaxKeyLength>
template <typename Keys>
void SharedTable<Value, MaxKeyLength>::prefetch(const Keys &keys) const noexcept
{
    if (control_ == nullptr)
        return;
    for (const auto &key : keys)
        __builtin_prefetch(&bucket_of(detail::hash_key(key)));
    // By now the first buckets have arrived; a prefetch of a pointer read
    // without the lock is harmless even if it is stale (a prefetch never faults).
    for (const auto &key : keys) {
        const Entry *first = bucket_of(detail::hash_key(key)).head.load(std::memory_order_relaxed);
        if (first != nullptr) {
            __builtin_prefetch(first);
            __builtin_prefetch(reinterpret_cast<const char *>(first) + 64);
        }
    }
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
    Value working = entry->value();
    std::invoke(fn, working);
    WriteSection section(bucket);
    entry->value() = working;
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
    Value working = entry != nullptr ? entry->value() : initial;
    std::invoke(fn, working);
    if (entry != nullptr) {
        WriteSection section(bucket);
        entry->value() = working;
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
    for (std::atomic<Entry *> *link = &bucket.head; link->load(std::memory_order_relaxed) != nullptr;
         link = &link->load(std::memory_order_relaxed)->next) {
        Entry *entry = link->load(std::memory_order_relaxed);
        if (entry->holds(hash, key)) {
            {
                // Readers that saw the entry learn it went before it is freed.
                WriteSection section(bucket);
                link->store(entry->next.load(std::memory_order_relaxed), std::memory_order_relaxed);
                free_entry(entry);
            }
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
        std::atomic<Entry *> *link = &bucket.head;
        while (Entry *entry = link->load(std::memory_order_relaxed)) {
            if (std::invoke(pred, entry->key(), std::as_const(*entry).value())) {
                {
                    WriteSection section(bucket);
                    link->store(entry->next.load(std::memory_order_relaxed), std::memory_order_relaxed);
                    free_entry(entry);
                }
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
            for (const Entry *entry = bucket.head.load(std::memory_order_relaxed); entry != nullptr;
                 entry = entry->next.load(std::memory_order_relaxed))
                snapshot.emplace_back(entry->key(), entry->value());
        }
        for (const auto &[key, value] : snapshot)
            std::invoke(fn, std::string_view(key), value);
    }
}

}  // namespace im::shared
