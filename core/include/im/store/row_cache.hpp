#pragma once
// The rows a store read, kept by one worker process between requests: the
// SQLite stores' rows for their users (settings, policies, access rules,
// willingness) and CachedGroupStore's groups.
//
// With a generation counter in shared memory the rows stay until any
// process's store over the same database writes: the writer moves the
// generation after its change, and every process drops all its rows before
// its next read once it sees the generation moved (the generation is read
// before the database, so a change committed during a read is at worst read
// twice, never missed). A group
// MESSAGE's recipients are then checked without a database read per
// message.
//
// Without a counter (unit tests, a store alone in its process) the rows
// live only for one batch: prefetch() .. end_batch(), as before the cache.
//
// Rows are looked up by a text key (an AOR); absent rows are cached too, as
// the Row type says (std::optional). The whole cache is dropped when it
// would exceed max_rows: a bound, not an LRU, since a worker's working set
// is its users and a refill is one query per group MESSAGE.
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "im/shared/shared_counter.hpp"

namespace im::store {

struct RowCacheConfig {
    shared::SharedCounter *generation = nullptr;  // nullptr: rows live for one batch only
    std::size_t max_rows = 65536;                 // per store and process; 0 keeps nothing between batches
};

template <typename Row>
class RowCache {
public:
    explicit RowCache(RowCacheConfig config = {}) : config_(config)
    {
        if (persistent()) watcher_.emplace(*config_.generation);
    }

    // True when rows outlive a batch.
    bool persistent() const noexcept { return config_.generation != nullptr && config_.max_rows > 0; }

    // Before every read: drops the rows once some process wrote.
    void revalidate() noexcept
    {
        if (watcher_ && watcher_->changed()) rows_.clear();
    }

    // Revalidates, then the keys not cached: what a batch read must fetch.
    std::vector<std::string> missing(const std::vector<std::string> &keys)
    {
        revalidate();
        std::vector<std::string> absent;
        for (const std::string &key : keys)
            if (rows_.find(key) == rows_.end()) absent.push_back(key);
        return absent;
    }

    const Row *find(const std::string &key) const
    {
        auto hit = rows_.find(key);
        return hit == rows_.end() ? nullptr : &hit->second;
    }

    // Keeps a row read from the database (persistent) or prefetched.
    void put(const std::string &key, Row row)
    {
        if (persistent() && rows_.size() >= config_.max_rows && rows_.find(key) == rows_.end()) rows_.clear();
        rows_.insert_or_assign(key, std::move(row));
    }

    // After a batch of reads (a group MESSAGE's copies).
    void end_batch() noexcept
    {
        if (!persistent()) rows_.clear();
    }

    // After this process changed the table: its own rows go now, every other
    // process's before its next read.
    void written() noexcept
    {
        rows_.clear();
        if (config_.generation != nullptr) config_.generation->increment();
    }

    std::size_t size() const noexcept { return rows_.size(); }

private:
    RowCacheConfig config_;
    std::optional<shared::GenerationWatcher> watcher_;
    std::unordered_map<std::string, Row> rows_;
};

// Calls written() when a write ends, also when it threw after changing the
// table: a needless reload is cheap, a stale row is not.
template <typename Row>
class RowCacheWrite {
public:
    explicit RowCacheWrite(RowCache<Row> &cache) noexcept : cache_(cache) {}
    ~RowCacheWrite() { cache_.written(); }
    RowCacheWrite(const RowCacheWrite &) = delete;
    RowCacheWrite &operator=(const RowCacheWrite &) = delete;

private:
    RowCache<Row> &cache_;
};

}  // namespace im::store
