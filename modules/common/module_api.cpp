// Implementation of module_api.h: nothing but conversions and try/catch.
#include "module_api.h"

#include <algorithm>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "api_support.hpp"
#include "im/bridge.hpp"
#include "im/relay/control_client.hpp"
#include "im/service/database.hpp"
#include "im/store/schema_versions.hpp"

namespace {

using im::module::guarded;

std::span<const im::store::TableVersion> tables_of(std::string_view module)
{
    if (module == "im_participating") return im::store::kParticipatingTables;
    if (module == "im_controlling") return im::store::kControllingTables;
    if (module == "im_deferred") return im::store::kDeferredTables;
    if (module == "im_history") return im::store::kHistoryTables;
    throw std::invalid_argument("unknown module " + std::string(module));
}

}  // namespace

struct im_module_db {
    std::span<const im::store::TableVersion> tables;
    im::store::SqliteDatabase db;
};

extern "C" {

int im_module_db_check(const char *module, const char *db_url, char *err, size_t err_size)
{
    return guarded(err, err_size, -1, [&] {
        im::service::open_module_database(db_url ? db_url : "", tables_of(module ? module : ""));
        return 0;
    });
}

im_module_db_t *im_module_db_open(const char *module, const char *db_url, char *err, size_t err_size)
{
    return guarded(err, err_size, nullptr, [&] {
        auto tables = tables_of(module ? module : "");
        return std::make_unique<im_module_db>(
                   im_module_db{tables, im::service::open_module_database(db_url ? db_url : "", tables)})
            .release();
    });
}

void im_module_db_close(im_module_db_t *db) { std::unique_ptr<im_module_db> owned(db); }

long long im_module_db_count(im_module_db_t *db, const char *table)
{
    try {
        // Only the module's own tables: the name goes into SQL text.
        const std::string name = table ? table : "";
        if (std::none_of(db->tables.begin(), db->tables.end(), [&](const auto &t) { return t.table == name; }))
            return -1;
        im::store::SqliteStatement count(db->db, "SELECT COUNT(*) FROM " + name);
        count.step();
        return count.column_int64(0);
    } catch (...) {
        return -1;
    }
}

const char *const *im_module_tables(const char *module)
{
    // Static, NUL-terminated copies of the table names per module.
    static const std::map<std::string, std::vector<const char *>> names = [] {
        std::map<std::string, std::vector<const char *>> out;
        for (const char *m : {"im_participating", "im_controlling", "im_deferred", "im_history"}) {
            auto &list = out[m];
            for (const auto &t : tables_of(m)) list.push_back(t.table.data());
            list.push_back(nullptr);
        }
        return out;
    }();
    auto it = names.find(module ? module : "");
    return it == names.end() ? nullptr : it->second.data();
}

int im_relay_status(const char *socket_path, int timeout_ms, im_relay_status_t *out, char *err, size_t err_size)
{
    return guarded(err, err_size, -1, [&] {
        *out = im_relay_status_t{};
        im::relay::ControlClient client(socket_path ? socket_path : "", std::chrono::milliseconds(timeout_ms));
        auto reply = client.call({"STATUS", {}});
        if (!reply) {
            im::bridge::copy_text(reply.error().text, err, err_size);
            return -1;
        }
        if (!reply.value().ok) {
            im::bridge::copy_text(reply.value().error_text, err, err_size);
            return -1;
        }
        for (const auto &field : reply.value().fields) {
            if (out->field_count == IM_RELAY_MAX_FIELDS) break;
            im::bridge::copy_text(field.key, out->key[out->field_count], sizeof out->key[0]);
            im::bridge::copy_text(field.value, out->value[out->field_count], sizeof out->value[0]);
            ++out->field_count;
        }
        return 0;
    });
}

int im_relay_session_create(const char *socket_path, int timeout_ms, im_relay_created_t *out, char *err, size_t err_size)
{
    return guarded(err, err_size, -1, [&] {
        *out = im_relay_created_t{};
        im::relay::ControlClient client(socket_path ? socket_path : "", std::chrono::milliseconds(timeout_ms));
        auto reply = client.call(im::relay::session_create_request("relay"));
        if (!reply) {
            im::bridge::copy_text(reply.error().text, err, err_size);
            return -1;
        }
        auto created = im::relay::read_created_session(reply.value());
        if (!created) {
            im::bridge::copy_text(created.error().text, err, err_size);
            return -1;
        }
        const auto &c = created.value();
        for (const std::string *field : {&c.session, &c.path_a, &c.path_b, &c.path_a_tls, &c.path_b_tls})
            if (field->size() >= sizeof out->path_a) throw std::length_error("relay reply field too long");
        if (c.session.size() >= sizeof out->session) throw std::length_error("relay session id too long");
        im::bridge::copy_text(c.session, out->session, sizeof out->session);
        im::bridge::copy_text(c.path_a, out->path_a, sizeof out->path_a);
        im::bridge::copy_text(c.path_b, out->path_b, sizeof out->path_b);
        im::bridge::copy_text(c.path_a_tls, out->path_a_tls, sizeof out->path_a_tls);
        im::bridge::copy_text(c.path_b_tls, out->path_b_tls, sizeof out->path_b_tls);
        return 0;
    });
}

int im_relay_session_delete(const char *socket_path, int timeout_ms, const char *session, char *err, size_t err_size)
{
    return guarded(err, err_size, -1, [&] {
        im::relay::ControlClient client(socket_path ? socket_path : "", std::chrono::milliseconds(timeout_ms));
        auto reply = client.call(im::relay::session_delete_request(session ? session : ""));
        if (!reply) {
            im::bridge::copy_text(reply.error().text, err, err_size);
            return -1;
        }
        // 404: the relay lost it already (restart, idle expiry): nothing left to free.
        if (!reply.value().ok && reply.value().error_code != 404) {
            im::bridge::copy_text("relay answered ERR " + std::to_string(reply.value().error_code) + " " +
                                      reply.value().error_text,
                                  err, err_size);
            return -1;
        }
        return 0;
    });
}

int im_relay_sessions_gone(const char *socket_path, int timeout_ms, const char *const *ids, int count,
                           unsigned char *gone, char *err, size_t err_size)
{
    return guarded(err, err_size, -1, [&] {
        im::relay::ControlClient client(socket_path ? socket_path : "", std::chrono::milliseconds(timeout_ms));
        auto listed = client.sessions();
        if (!listed) {
            im::bridge::copy_text(listed.error().text, err, err_size);
            return -1;
        }
        auto have = std::move(listed.value());
        std::sort(have.begin(), have.end());
        for (int i = 0; i < count; ++i)
            gone[i] = std::binary_search(have.begin(), have.end(), std::string(ids[i] ? ids[i] : "")) ? 0 : 1;
        return 0;
    });
}

}  // extern "C"
