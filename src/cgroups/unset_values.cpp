#include "cgroups/unset_values.hpp"

#include <cstdint>
#include <limits>

namespace hull::cgroups {

namespace {

template <typename T>
void drop_if(std::optional<T>& v, const T& unset) {
  if (v && *v == unset) v.reset();
}

bool any_set(const spec::Memory& m) {
  return m.limit || m.reservation || m.swap || m.kernel || m.kernelTCP || m.swappiness || m.disableOOMKiller ||
         m.useHierarchy || m.checkBeforeUpdate;
}

bool any_set(const spec::CPU& c) {
  return c.shares || c.quota || c.burst || c.period || c.realtimeRuntime || c.realtimePeriod || c.cpus || c.mems ||
         c.idle;
}

bool any_set(const spec::BlockIO& b) {
  return b.weight || b.leafWeight || !b.weightDevice.empty() || !b.throttleReadBpsDevice.empty() ||
         !b.throttleWriteBpsDevice.empty() || !b.throttleReadIOPSDevice.empty() || !b.throttleWriteIOPSDevice.empty();
}

}  // namespace

spec::Resources without_unset_values(spec::Resources r) {
  if (r.memory) {
    spec::Memory& m = *r.memory;
    drop_if<int64_t>(m.limit, 0);
    drop_if<int64_t>(m.reservation, 0);
    drop_if<int64_t>(m.swap, 0);
    drop_if<int64_t>(m.kernel, 0);
    drop_if<int64_t>(m.kernelTCP, 0);
    drop_if<uint64_t>(m.swappiness, std::numeric_limits<uint64_t>::max());
    if (!any_set(m)) r.memory.reset();
  }
  if (r.cpu) {
    spec::CPU& c = *r.cpu;
    drop_if<uint64_t>(c.shares, 0);
    drop_if<int64_t>(c.quota, 0);
    drop_if<uint64_t>(c.period, 0);
    drop_if<int64_t>(c.realtimeRuntime, 0);
    drop_if<uint64_t>(c.realtimePeriod, 0);
    drop_if<std::string>(c.cpus, "");
    drop_if<std::string>(c.mems, "");
    if (!any_set(c)) r.cpu.reset();
  }
  if (r.pids && r.pids->limit == 0) r.pids.reset();
  if (r.network) {
    drop_if<uint32_t>(r.network->classID, 0);
    if (!r.network->classID && r.network->priorities.empty()) r.network.reset();
  }
  if (r.blockIO) {
    spec::BlockIO& b = *r.blockIO;
    drop_if<uint16_t>(b.weight, 0);
    drop_if<uint16_t>(b.leafWeight, 0);
    std::erase_if(b.weightDevice, [](spec::BlockIODeviceWeight& d) {
      drop_if<uint16_t>(d.weight, 0);
      drop_if<uint16_t>(d.leafWeight, 0);
      return !d.weight && !d.leafWeight;
    });
    if (!any_set(b)) r.blockIO.reset();
  }
  return r;
}

}  // namespace hull::cgroups
