// The systemd driver's D-Bus client: marshalling checked against byte
// vectors worked out by hand from the dbus-specification ("Marshaling",
// "Message Format"), and the calls against a fake systemd on a unix socket
// (authentication, a reply after the job's signal, an error reply).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/dbus_message.hpp"
#include "cgroups/systemd_bus.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

namespace hull::cgroups {
namespace {

using test::error_of;

using Bytes = std::vector<uint8_t>;

void add(Bytes& b, std::initializer_list<uint8_t> v) { b.insert(b.end(), v.begin(), v.end()); }
void add(Bytes& b, std::string_view text) { b.insert(b.end(), text.begin(), text.end()); }

TEST(DbusMarshal, BasicTypesAreAlignedFromTheStart) {
  dbus::Writer w;
  w.byte(1);
  w.u32(2);        // 4-aligned: 3 bytes of padding
  w.string("ab");  // length, bytes, NUL
  w.u64(3);        // 8-aligned: 1 byte of padding
  w.signature("a(sv)");
  Bytes want = {1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
  add(want, {5, 'a', '(', 's', 'v', ')', 0});
  EXPECT_EQ(w.bytes(), want);
}

TEST(DbusMarshal, PropertyArrayOfStructsWithVariants) {
  dbus::Writer w;
  w.properties({{"Delegate", true}, {"PIDs", std::vector<uint32_t>{7}}});
  // a(sv): the length (48) counts from the first struct, after the padding to 8.
  Bytes want = {0x30, 0, 0, 0, 0, 0, 0, 0};
  add(want, {8, 0, 0, 0});
  add(want, "Delegate");
  add(want, {0, 1, 'b', 0, 1, 0, 0, 0});  // NUL, signature "b", true as uint32
  add(want, {0, 0, 0, 0});                // the next struct starts 8-aligned (32)
  add(want, {4, 0, 0, 0});
  add(want, "PIDs");
  add(want, {0, 2, 'a', 'u', 0});  // NUL, signature "au"
  add(want, {0, 0, 0});            // the array's length is 4-aligned (48)
  add(want, {4, 0, 0, 0, 7, 0, 0, 0});
  EXPECT_EQ(w.bytes(), want);

  dbus::Writer t;
  t.variant(uint64_t{0x2000000});  // "t": 8-aligned after the signature
  EXPECT_EQ(t.bytes(), (Bytes{1, 't', 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0}));
}

// What annotations may give: a string list ("as", e.g. After= and Wants=),
// int32 (KillSignal=), int16 and double, each aligned to its size.
TEST(DbusMarshal, StringArraysAndSignedNumbers) {
  dbus::Writer w;
  w.variant(std::vector<std::string>{"a.service", "b"});
  Bytes want = {2, 'a', 's', 0};
  add(want, {22, 0, 0, 0});  // the array's byte length: 14, 2 of padding, 6
  add(want, {9, 0, 0, 0});
  add(want, "a.service");
  add(want, {0, 0, 0});  // NUL, then 4-aligned
  add(want, {1, 0, 0, 0, 'b', 0});
  EXPECT_EQ(w.bytes(), want);

  dbus::Writer i;
  i.variant(int32_t{-2});
  EXPECT_EQ(i.bytes(), (Bytes{1, 'i', 0, 0, 0xfe, 0xff, 0xff, 0xff}));
  dbus::Writer n;
  n.variant(int16_t{3});
  EXPECT_EQ(n.bytes(), (Bytes{1, 'n', 0, 0, 3, 0}));
  dbus::Writer d;
  d.variant(1.0);
  EXPECT_EQ(d.bytes(), (Bytes{1, 'd', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}));
}

TEST(DbusMarshal, MethodCallHeader) {
  dbus::MethodCall c{
      "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "Subscribe", "", {}};
  Bytes want = {'l', 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 145, 0, 0, 0};  // no body, serial 1, 145 bytes of fields
  add(want, {1, 1, 'o', 0, 25, 0, 0, 0});                             // PATH, an object path
  add(want, "/org/freedesktop/systemd1");
  add(want, {0, 0, 0, 0, 0, 0, 0});  // NUL, then to offset 56
  add(want, {2, 1, 's', 0, 32, 0, 0, 0});
  add(want, "org.freedesktop.systemd1.Manager");
  add(want, {0, 0, 0, 0, 0, 0, 0, 0});  // to 104
  add(want, {3, 1, 's', 0, 9, 0, 0, 0});
  add(want, "Subscribe");
  add(want, {0, 0, 0, 0, 0, 0, 0});  // to 128
  add(want, {6, 1, 's', 0, 24, 0, 0, 0});
  add(want, "org.freedesktop.systemd1");
  add(want, {0, 0, 0, 0, 0, 0, 0, 0});  // the header ends 8-aligned (168)
  EXPECT_EQ(dbus::encode(c, 1), want);
  EXPECT_NE(error_of([&] { dbus::encode(c, 0); }), test::kNoError);
  c.path = "/bad//path";
  EXPECT_EQ(error_of([&] { dbus::encode(c, 1); }), "D-Bus object path \"/bad//path\" is not valid");
}

// A method return to serial 1 with an object path, and a SENDER field
// (code 7) that the client does not use and must skip.
Bytes job_reply() {
  Bytes b = {'l', 2, 1, 1, 37, 0, 0, 0, 5, 0, 0, 0, 29, 0, 0, 0};
  add(b, {5, 1, 'u', 0, 1, 0, 0, 0});                         // REPLY_SERIAL 1
  add(b, {8, 1, 'g', 0, 1, 'o', 0, 0});                       // SIGNATURE "o", padding
  add(b, {7, 1, 's', 0, 4, 0, 0, 0, ':', '1', '.', '5', 0});  // SENDER ":1.5"
  add(b, {0, 0, 0});                                          // the body starts 8-aligned (48)
  add(b, {32, 0, 0, 0});
  add(b, "/org/freedesktop/systemd1/job/42");
  add(b, {0});
  return b;
}

TEST(DbusUnmarshal, MethodReturnWithUnknownHeaderField) {
  Bytes b = job_reply();
  ASSERT_EQ(dbus::message_size(b.data()), b.size());
  dbus::Message m = dbus::decode(b);
  EXPECT_EQ(m.type, dbus::MessageType::MethodReturn);
  EXPECT_EQ(m.serial, 5u);
  EXPECT_EQ(m.reply_serial, 1u);
  EXPECT_EQ(m.signature, "o");
  EXPECT_EQ(dbus::Reader(m.body.data(), m.body.size()).string(), "/org/freedesktop/systemd1/job/42");
}

TEST(DbusUnmarshal, MalformedMessagesAreErrors) {
  Bytes b = job_reply();
  b.pop_back();
  EXPECT_EQ(error_of([&] { dbus::decode(b); }), "D-Bus message: truncated");
  b = job_reply();
  b[0] = 'B';
  EXPECT_NE(error_of([&] { dbus::message_size(b.data()); }).find("only little-endian"), std::string::npos);
  b = job_reply();
  b[31] = 9;  // padding after the SIGNATURE field
  EXPECT_EQ(error_of([&] { dbus::decode(b); }), "D-Bus message: non-zero padding");
  b = job_reply();
  b[48] = 200;  // the body's string runs past the end
  dbus::Message m = dbus::decode(b);
  EXPECT_EQ(error_of([&] { dbus::Reader(m.body.data(), m.body.size()).string(); }), "D-Bus message: truncated");
}

// What systemd sends: a return, an error or a signal, built with the writer
// (checked above) for the fields.
Bytes server_message(dbus::MessageType type, uint32_t serial, uint32_t reply_serial, const std::string& name,
                     const std::string& sig, const Bytes& body) {
  dbus::Writer w;
  w.byte('l');
  w.byte(static_cast<uint8_t>(type));
  w.byte(1);
  w.byte(1);
  w.u32(static_cast<uint32_t>(body.size()));
  w.u32(serial);
  auto fields = w.begin_array(8);
  auto field = [&](uint8_t code, const char* fsig) {
    w.begin_struct();
    w.byte(code);
    w.signature(fsig);
  };
  if (reply_serial) {
    field(5, "u");
    w.u32(reply_serial);
  }
  if (type == dbus::MessageType::Error) {
    field(4, "s");
    w.string(name);
  }
  if (type == dbus::MessageType::Signal) {
    field(1, "o");
    w.object_path("/org/freedesktop/systemd1");
    field(2, "s");
    w.string("org.freedesktop.systemd1.Manager");
    field(3, "s");
    w.string(name);
  }
  if (!sig.empty()) {
    field(8, "g");
    w.signature(sig);
  }
  w.end_array(fields);
  w.align(8);
  Bytes out = w.take();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// A fake systemd on a unix socket: answers Subscribe, then `respond` gets
// the next call and returns the bytes to send.
class FakeSystemd {
 public:
  // asks_data: as systemd 252 answers EXTERNAL without an identity (DATA);
  // false: OK at once, as sd-bus's older code does.
  explicit FakeSystemd(std::function<Bytes(const dbus::Message&)> respond, bool asks_data = true)
      : path_(dir_.path() + "/private"), respond_(std::move(respond)), asks_data_(asks_data) {
    listener_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path_.c_str());
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(listener_.get(), 1) < 0)
      throw_errno("fake systemd: listen");
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeSystemd() { thread_.join(); }
  const std::string& path() const { return path_; }
  std::string auth_line;
  std::string data_line;
  std::string after_ok;  // asks_data false: what the client sent after the OK
  bool begin_before_ok = false;
  std::vector<dbus::Message> calls;

 private:
  Bytes read_n(int fd, size_t n) {
    Bytes b(n);
    size_t got = 0;
    while (got < n) {
      ssize_t k = ::read(fd, b.data() + got, n - got);
      if (k <= 0) throw Error("fake systemd: short read");
      got += static_cast<size_t>(k);
    }
    return b;
  }
  std::string line(int fd) {
    std::string s;
    while (!s.ends_with("\r\n")) s += static_cast<char>(read_n(fd, 1)[0]);
    return s;
  }
  dbus::Message receive(int fd) {
    Bytes head = read_n(fd, 16);
    Bytes rest = read_n(fd, dbus::message_size(head.data()) - 16);
    head.insert(head.end(), rest.begin(), rest.end());
    return dbus::decode(head);
  }
  void send(int fd, const Bytes& b) { ASSERT_EQ(::write(fd, b.data(), b.size()), static_cast<ssize_t>(b.size())); }
  void serve_calls(int fd) {
    for (;;) {
      dbus::Message m = receive(fd);
      calls.push_back(m);
      if (m.member == "Subscribe") {
        send(fd, server_message(dbus::MessageType::MethodReturn, 100, m.serial, "", "", {}));
        continue;
      }
      send(fd, respond_(m));
      return;
    }
  }
  void serve() {
    try {
      UniqueFd c(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      auth_line = line(c.get());
      if (!asks_data_) {
        send(c.get(), {'O', 'K', ' ', '1', '\r', '\n'});
        after_ok = line(c.get());
        serve_calls(c.get());
        return;
      }
      send(c.get(), {'D', 'A', 'T', 'A', '\r', '\n'});
      data_line = line(c.get());
      // BEGIN must come without waiting for the OK (systemd's sd-bus leaves
      // a call read in the same chunk as BEGIN unanswered): it is here
      // before we answer, or the client waited for us.
      pollfd p{c.get(), POLLIN, 0};
      bool early = ::poll(&p, 1, 2000) == 1;
      std::string next = early ? line(c.get()) : "";
      send(c.get(), {'O', 'K', ' ', '1', '2', '3', '4', '\r', '\n'});
      if (!early) next = line(c.get());
      EXPECT_EQ(next, "BEGIN\r\n");
      begin_before_ok = early && next == "BEGIN\r\n";
      serve_calls(c.get());
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  test::TempDir dir_{"fake-systemd"};
  std::string path_;
  std::function<Bytes(const dbus::Message&)> respond_;
  bool asks_data_;
  UniqueFd listener_;
  std::thread thread_;
};

Bytes string_body(const std::string& s) {
  dbus::Writer w;
  w.string(s);
  return w.take();
}

// The body of JobRemoved(u id, o job, s unit, s result).
Bytes job_removed(uint32_t id, const std::string& job, const std::string& unit, const std::string& result) {
  dbus::Writer w;
  w.u32(id);
  w.object_path(job);
  w.string(unit);
  w.string(result);
  return w.take();
}

TEST(SystemdBusCalls, StartWaitsForItsJobsSignalEvenWhenItComesFirst) {
  const std::string job = "/org/freedesktop/systemd1/job/7";
  FakeSystemd fake([&](const dbus::Message& call) {
    // Another job's signal, then this one's, then the reply: the client
    // must keep the signal it read while waiting for the reply.
    Bytes other = job_removed(6, "/org/freedesktop/systemd1/job/6", "x.scope", "failed");
    Bytes mine = job_removed(7, job, "hull-web.scope", "done");
    Bytes out = server_message(dbus::MessageType::Signal, 101, 0, "JobRemoved", "uoss", other);
    Bytes b = server_message(dbus::MessageType::Signal, 102, 0, "JobRemoved", "uoss", mine);
    out.insert(out.end(), b.begin(), b.end());
    b = server_message(dbus::MessageType::MethodReturn, 103, call.serial, "", "o", string_body(job));
    out.insert(out.end(), b.begin(), b.end());
    return out;
  });
  SystemdBus bus = SystemdBus::connect(fake.path());
  bus.start_transient_unit("hull-web.scope", {{"Delegate", true}});
  // No identity: systemd takes the peer's credentials (a uid given must be
  // the one the manager sees, not hull's in rootless podman's namespace).
  EXPECT_EQ(fake.auth_line, std::string(1, '\0') + "AUTH EXTERNAL\r\n");
  EXPECT_EQ(fake.data_line, "DATA\r\n");
  EXPECT_TRUE(fake.begin_before_ok);
  ASSERT_EQ(fake.calls.size(), 2u);
  const dbus::Message& start = fake.calls[1];
  EXPECT_EQ(start.member, "StartTransientUnit");
  EXPECT_EQ(start.interface, "org.freedesktop.systemd1.Manager");
  EXPECT_EQ(start.path, "/org/freedesktop/systemd1");
  EXPECT_EQ(start.signature, "ssa(sv)a(sa(sv))");
  dbus::Reader r(start.body.data(), start.body.size());
  EXPECT_EQ(r.string(), "hull-web.scope");
  EXPECT_EQ(r.string(), "replace");
}

// A server that answers EXTERNAL without an identity with OK at once gets
// BEGIN alone, no DATA line it would not expect.
TEST(SystemdBusCalls, AServerThatSaysOkAtOnceGetsBeginAlone) {
  FakeSystemd fake(
      [](const dbus::Message& call) {
        return server_message(dbus::MessageType::MethodReturn, 101, call.serial, "", "", {});
      },
      /*asks_data=*/false);
  SystemdBus bus = SystemdBus::connect(fake.path());
  bus.set_unit_properties("hull-web.scope", {{"CPUWeight", uint64_t{100}}});
  EXPECT_EQ(fake.auth_line, std::string(1, '\0') + "AUTH EXTERNAL\r\n");
  EXPECT_EQ(fake.after_ok, "BEGIN\r\n");
  ASSERT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0].member, "SetUnitProperties");
}

// The user's manager's ControlGroup, below which its units live.
TEST(SystemdBusCalls, TheManagersControlGroupIsReadThroughProperties) {
  FakeSystemd fake([](const dbus::Message& call) {
    dbus::Writer w;
    w.signature("s");
    w.string("/user.slice/user-1000.slice/user@1000.service");
    return server_message(dbus::MessageType::MethodReturn, 101, call.serial, "", "v", w.take());
  });
  SystemdBus bus = SystemdBus::connect(fake.path());
  EXPECT_EQ(bus.manager_control_group(), "/user.slice/user-1000.slice/user@1000.service");
  ASSERT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0].interface, "org.freedesktop.DBus.Properties");
  EXPECT_EQ(fake.calls[0].member, "Get");
  dbus::Reader r(fake.calls[0].body.data(), fake.calls[0].body.size());
  EXPECT_EQ(r.string(), "org.freedesktop.systemd1.Manager");
  EXPECT_EQ(r.string(), "ControlGroup");
}

// The container's cgroup is put below the ControlGroup the manager gives:
// one that is not an absolute cgroup path is refused, a trailing "/" dropped.
TEST(SystemdBusCalls, AControlGroupThatIsNoAbsoluteCgroupPathIsRefused) {
  const auto control_group = [](const std::string& given) {
    FakeSystemd fake([given](const dbus::Message& call) {
      dbus::Writer w;
      w.signature("s");
      w.string(given);
      return server_message(dbus::MessageType::MethodReturn, 101, call.serial, "", "v", w.take());
    });
    SystemdBus bus = SystemdBus::connect(fake.path());
    try {
      return bus.manager_control_group();
    } catch (const Error& e) {
      return std::string("error: ") + e.what();
    }
  };
  EXPECT_EQ(control_group("/user.slice/user@1000.service/"), "/user.slice/user@1000.service");
  EXPECT_EQ(control_group("/"), "");
  EXPECT_EQ(control_group("/user.slice/../../tmp"),
            "error: systemd cgroup driver: the manager gave its ControlGroup as \"/user.slice/../../tmp\", not an "
            "absolute cgroup path");
  EXPECT_EQ(control_group("user.slice"),
            "error: systemd cgroup driver: the manager gave its ControlGroup as \"user.slice\", not an absolute "
            "cgroup path");
}

TEST(SystemdBusCalls, ErrorReplyBecomesAnErrorWithItsNameAndText) {
  FakeSystemd fake([](const dbus::Message& call) {
    return server_message(dbus::MessageType::Error, 101, call.serial, "org.freedesktop.systemd1.UnitExists", "s",
                          string_body("Unit hull-web.scope already exists."));
  });
  SystemdBus bus = SystemdBus::connect(fake.path());
  EXPECT_EQ(error_of([&] { bus.start_transient_unit("hull-web.scope", {}); }),
            "systemd cgroup driver: StartTransientUnit: org.freedesktop.systemd1.UnitExists: Unit hull-web.scope "
            "already exists.");
}

TEST(SystemdBusCalls, FailedJobIsAnError) {
  FakeSystemd fake([](const dbus::Message& call) {
    const std::string job = "/org/freedesktop/systemd1/job/9";
    Bytes out = server_message(dbus::MessageType::MethodReturn, 101, call.serial, "", "o", string_body(job));
    Bytes sig = server_message(dbus::MessageType::Signal, 102, 0, "JobRemoved", "uoss",
                               job_removed(9, job, "hull-web.scope", "failed"));
    out.insert(out.end(), sig.begin(), sig.end());
    return out;
  });
  SystemdBus bus = SystemdBus::connect(fake.path());
  EXPECT_EQ(error_of([&] { bus.stop_unit("hull-web.scope", /*wait_for_removal=*/true); }),
            "systemd cgroup driver: stop \"hull-web.scope\": the job ended with \"failed\" (journalctl -u "
            "hull-web.scope says why)");
}

TEST(SystemdBusCalls, UnreachableSystemdSaysSo) {
  test::TempDir dir("no-systemd");
  std::string err = error_of([&] { SystemdBus::connect(dir.path() + "/private"); });
  EXPECT_EQ(err, "systemd cgroup driver: connect " + dir.path() +
                     "/private (is the user's systemd manager running?): no such file or directory");
}

}  // namespace
}  // namespace hull::cgroups
