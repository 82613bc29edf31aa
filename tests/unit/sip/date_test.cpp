#include "im/sip/date.hpp"

#include <gtest/gtest.h>

using im::sip::parse_sip_date;

TEST(SipDate, Rfc3261Example)
{
    EXPECT_EQ(parse_sip_date("Sat, 13 Nov 2010 23:29:00 GMT"), 1289690940);
    EXPECT_EQ(parse_sip_date("  Thu, 01 Jan 1970 00:00:00 GMT "), 0);
    EXPECT_EQ(parse_sip_date("Thu, 29 Feb 2024 12:00:00 GMT"), 1709208000);
}

TEST(SipDate, RefusesWhatIsNoRfc1123GmtDate)
{
    for (const char *bad : {"", "yesterday", "Sat, 13 Nov 2010 23:29:00 UTC", "Sat, 13 Nov 2010 23:29:00 +0000",
                            "Sat 13 Nov 2010 23:29:00 GMT", "Xyz, 13 Nov 2010 23:29:00 GMT",
                            "Sat, 13 Foo 2010 23:29:00 GMT", "Sat, 32 Nov 2010 23:29:00 GMT",
                            "Sat, 29 Feb 2023 23:29:00 GMT", "Sat, 13 Nov 2010 24:00:00 GMT",
                            "Sat, 13 Nov 2010 23:60:00 GMT", "Sat, 1 Nov 2010 23:29:00 GMT",
                            "Sat, 13 Nov 20x0 23:29:00 GMT", "Sat, 13 Nov 2010 23:29:00 GMT\r\nX: y"})
        EXPECT_FALSE(parse_sip_date(bad)) << bad;
}
