#include "fivespot/controller/lease.hpp"

#include <gtest/gtest.h>

namespace fivespot::controller {
namespace {

using namespace std::chrono_literals;

TEST(LeaseJson, RoundTripsWithMicrosecondTimes) {
  const TimePoint acquired = TimePoint{std::chrono::seconds(1'700'000'000)} + 123456us;
  const Lease lease{"kube-system",
                    "fivespot",
                    {{"5spot.finos.org/instance-registry", "coord"}},
                    "42",
                    LeaseSpec{"pod-a", 15s, acquired, acquired + 2s, 3}};
  const kube::Json json = leaseToJson(lease);
  EXPECT_EQ(json["apiVersion"], "coordination.k8s.io/v1");
  EXPECT_EQ(json["kind"], "Lease");
  EXPECT_EQ(json["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(json["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(json["spec"]["acquireTime"], "2023-11-14T22:13:20.123456Z");
  const Lease back = leaseFromJson(json);
  EXPECT_EQ(back.spec, lease.spec);
  EXPECT_EQ(back.labels, lease.labels);
  EXPECT_EQ(back.ns, "kube-system");
  EXPECT_EQ(back.name, "fivespot");
}

TEST(LeaseJson, ReleasedLeaseKeepsAnEmptyHolderAndMissingFieldsDefault) {
  const kube::Json json = leaseToJson(Lease{"ns", "l", {}, "", LeaseSpec{"", 1s, std::nullopt, std::nullopt, 0}});
  EXPECT_EQ(json["spec"]["holderIdentity"], "");
  EXPECT_FALSE(json["metadata"].contains("resourceVersion"));
  const Lease bare = leaseFromJson(kube::Json{{"metadata", {{"name", "l"}}}});
  EXPECT_EQ(bare.spec, LeaseSpec{});
  EXPECT_THROW((void)leaseFromJson(kube::Json{{"spec", {{"renewTime", "yesterday"}}}}), ValidationError);
}

}  // namespace
}  // namespace fivespot::controller
