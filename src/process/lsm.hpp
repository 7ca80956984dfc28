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

}  // namespace hull::process
