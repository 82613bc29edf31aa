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
//
// A batch (a group MESSAGE's recipients) finds each key's row once:
// resolve() revalidates and points a RowBatch at the rows cached, the store
// reads the others (keep), complete() points at those, absent rows too.
// Nothing drops rows between resolve() and end_batch() but revalidate(),
// put() and written(), so the batch's pointers stay valid as long as its
// readers use them instead of the store's one-by-one reads.
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
class RowCache;

// The rows of one batch's keys, in the keys' order: row(i) is keys[i]'s.
// Kept from one batch to the next for its capacity.
template <typename Row>
class RowBatch {
public:
    const Row &row(std::size_t index) const { return *rows_[index]; }
    std::size_t size() const noexcept { return rows_.size(); }
    // The keys whose rows must still be read (between resolve and complete).
    const std::vector<std::string> &missing() const noexcept { return missing_; }

private:
    friend class RowCache<Row>;
    std::vector<const Row *> rows_;
    std::vector<std::string> missing_;
    std::vector<std::size_t> missing_at_;  // their indexes in rows_
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

    // A batch's first step: revalidates, then points batch at each key's
    // cached row, one lookup per key. True when some rows must be read
    // (batch.missing()): then the store keep()s those it found and calls
    // complete(). When they would not fit under max_rows, every row goes
    // now, so that none of the batch's goes while it is read.
    bool resolve(const std::vector<std::string> &keys, RowBatch<Row> &batch)
    {
        revalidate();
        batch.rows_.resize(keys.size());
        batch.missing_.clear();
        batch.missing_at_.clear();
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const auto hit = rows_.find(keys[i]);
            batch.rows_[i] = hit == rows_.end() ? nullptr : &hit->second;
            if (hit == rows_.end()) batch.missing_at_.push_back(i);
        }
        if (batch.missing_at_.empty()) return false;
        if (persistent() && rows_.size() + batch.missing_at_.size() > config_.max_rows) {
            rows_.clear();
            batch.missing_at_.clear();
            for (std::size_t i = 0; i < keys.size(); ++i) batch.missing_at_.push_back(i);
        }
        for (const std::size_t i : batch.missing_at_) batch.missing_.push_back(keys[i]);
        return true;
    }

    // A row read for a batch's missing key. Never drops rows (resolve made
    // room): a batch larger than max_rows keeps all its rows until it ends.
    void keep(const std::string &key, Row row) { rows_.insert_or_assign(key, std::move(row)); }

    // A batch's last step, once its reads succeeded: points it at the rows
    // kept for its missing keys, and at `absent` (kept too) for those the
    // database has no row for. (A read that fails before it leaves no
    // absent rows behind, only rows the database has.)
    void complete(RowBatch<Row> &batch, const Row &absent)
    {
        for (std::size_t j = 0; j < batch.missing_at_.size(); ++j)
            batch.rows_[batch.missing_at_[j]] = &rows_.try_emplace(batch.missing_[j], absent).first->second;
        batch.missing_.clear();
        batch.missing_at_.clear();
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

    // After a batch of reads (a group MESSAGE's copies); also drops the rows
    // of a batch that did not fit under max_rows.
    void end_batch() noexcept
    {
        if (!persistent() || rows_.size() > config_.max_rows) rows_.clear();
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
