#pragma once
// process.apparmorProfile, process.selinuxLabel, linux.mountLabel.
#include <string>
#include <vector>

#include "spec/spec.hpp"

namespace hull::process {

bool apparmor_enabled();
bool selinux_enabled();
// "apparmor", "selinux": the LSMs a config may ask for here (`hull features`).
std::vector<std::string> usable_lsms();

// Arranges for the labels to take effect at execve (they are exec-time
// transitions, so the init itself keeps running unconfined). A label asked
// for on a host without that LSM is an error: running the container
// unconfined when the config asks for confinement is the one wrong answer.
void check_lsm_labels(const spec::Spec& spec);
void apply_lsm_labels(const spec::Spec& spec);
// process.selinuxLabel on the keys the process creates until its execve
// (the session keyring it joins next). Nothing without a label or without
// SELinux (check_lsm_labels refuses the label then); a policy without
// keyring support is not a reason to fail: a warning says so.
void label_keys_it_creates(const spec::Spec& spec);

}  // namespace hull::process
