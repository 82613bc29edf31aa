#include "im/store/db_url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "im/store/store_error.hpp"

namespace {

using im::store::DbUrl;
using im::store::parse_db_url;
using im::store::StoreError;
using ::testing::AllOf;
using ::testing::HasSubstr;

void expect_parses(std::string_view url, std::string_view backend, std::string_view path)
{
    const DbUrl parsed = parse_db_url(url);
    EXPECT_EQ(parsed.backend, backend) << url;
    EXPECT_EQ(parsed.path, path) << url;
}

std::string rejection_of(std::string_view url)
{
    try {
        parse_db_url(url);
    } catch (const StoreError &error) {
        return error.what();
    }
    ADD_FAILURE() << "accepted " << url;
    return {};
}

TEST(DbUrl, SqliteWithAbsolutePath) { expect_parses("sqlite:///var/lib/im/im.db", "sqlite", "/var/lib/im/im.db"); }

TEST(DbUrl, SqliteWithRelativePath) { expect_parses("sqlite://data/im.db", "sqlite", "data/im.db"); }

TEST(DbUrl, BareFilePaths)
{
    expect_parses("/var/lib/im/im.db", "sqlite", "/var/lib/im/im.db");
    expect_parses("im.db", "sqlite", "im.db");
    expect_parses("./data/im.db", "sqlite", "./data/im.db");
    expect_parses("/srv/im:1/im.db", "sqlite", "/srv/im:1/im.db");  // a ':' inside a path is no scheme
}

TEST(DbUrl, PostgresKeepsTheWholeUrlForLibpq)
{
    expect_parses("postgres://im:secret@db.example.com:5432/im", "postgres", "postgres://im:secret@db.example.com:5432/im");
    expect_parses("postgresql://localhost/im", "postgres", "postgresql://localhost/im");
}

TEST(DbUrl, RejectsOtherBackendsNamingTheSchemeAndWhatIsAccepted)
{
    EXPECT_THAT(rejection_of("mysql://kamailio:pw@localhost/kamailio"),
                AllOf(HasSubstr("unsupported backend 'mysql'"), HasSubstr("sqlite:///"), HasSubstr("postgres://")));
}

TEST(DbUrl, RejectsEmptyAndIncompleteUrls)
{
    EXPECT_THAT(rejection_of(""), HasSubstr("empty"));
    EXPECT_THAT(rejection_of("sqlite://"), HasSubstr("no database file path"));
    EXPECT_THAT(rejection_of("postgres://"), HasSubstr("no server"));
    EXPECT_THAT(rejection_of("sqlite:/var/lib/im.db"), HasSubstr("missing '//'"));
}

}  // namespace
