"""Small catalogs for tests: fake frameworks and index projects."""

from __future__ import annotations

FAKE_CATALOG = '''
[thresholds]
active_days = 365
stale_days = 730

[[framework]]
id = "pytorch"
name = "PyTorch"
import_name = "torch"
probe = "torch"
distributions = ["torch"]
companions = ["torchvision", "hangcomp", "segvcomp", "cext"]
claim = "actively developed (Meta)"
claimed_status = "active"

[[framework.companion_checks]]
distribution = "torchvision"
module = "torchvision"
op = "torchvision-nms"

[[framework.companion_checks]]
distribution = "hangcomp"
module = "hangcomp"

[[framework.companion_checks]]
distribution = "segvcomp"
module = "segvcomp"

[[framework.companion_checks]]
distribution = "cext"
module = "cext"
hint = "rebuild cext against {framework} {framework_version}"

[[framework]]
id = "tensorflow"
name = "TensorFlow"
import_name = "tensorflow"
probe = "tensorflow"
distributions = ["tensorflow", "tensorflow-cpu"]
claim = "actively developed (Google)"
claimed_status = "active"

[[framework]]
id = "jax"
name = "JAX"
import_name = "jax"
probe = "jax"
distributions = ["jax"]
claim = "actively developed (Google)"
claimed_status = "active"

[[framework]]
id = "hangfw"
name = "HangFW"
import_name = "hangfw"
probe = "torch"
distributions = ["hangfw"]
claim = "test"
claimed_status = "active"

[[framework]]
id = "segvfw"
name = "SegvFW"
import_name = "segvfw"
probe = "torch"
distributions = ["segvfw"]
claim = "test"
claimed_status = "active"

[[framework]]
id = "raisefw"
name = "RaiseFW"
import_name = "raisefw"
probe = "torch"
distributions = ["raisefw"]
claim = "test"
claimed_status = "active"

[[framework]]
id = "noisyfw"
name = "NoisyFW"
import_name = "noisyfw"
probe = "torch"
distributions = ["noisyfw"]
claim = "test"
claimed_status = "active"

[[framework]]
id = "slowquery"
name = "SlowQuery"
import_name = "slowquery"
probe = "torch"
distributions = ["slowquery"]
claim = "test"
claimed_status = "active"
'''


STATUS_CATALOG = '''
[thresholds]
active_days = 365
stale_days = 730

[[framework]]
id = "active"
name = "Active"
import_name = "activeproj"
probe = "torch"
distributions = ["activeproj"]
claim = "actively developed"
claimed_status = "active"

[[framework]]
id = "silent"
name = "Silent"
import_name = "silentproj"
probe = "theano"
distributions = ["silentproj"]
forks = ["forkproj", "missingproj"]
claim_forks = true
claim = "largely unmaintained; community forks exist"
claimed_status = "unmaintained"

[[framework]]
id = "archived"
name = "Archived"
import_name = "archivedproj"
probe = "torch"
distributions = ["archivedproj"]
claim = "actively developed"
claimed_status = "active"

[[framework]]
id = "missing"
name = "Missing"
import_name = "missingproj"
probe = "torch"
distributions = ["missingproj"]
claim = "actively developed"
claimed_status = "active"
'''
