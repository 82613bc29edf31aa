#include <gtest/gtest.h>

#include "im/verdict.hpp"

TEST(Verdict, NextProceedsAndReplyCarriesCodeReasonWarning)
{
    EXPECT_TRUE(im::Verdict::next().proceed());
    auto v = im::Verdict::reply(403, "Forbidden", "399 im \"no identity\"");
    EXPECT_FALSE(v.proceed());
    EXPECT_EQ(v.code, 403);
    EXPECT_EQ(v.reason, "Forbidden");
    EXPECT_EQ(v.warning, "399 im \"no identity\"");
}
