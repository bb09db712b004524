"""Apply infra/terraform to moto, for real, then destroy it.

The first-apply path from an empty account, as the README's "Deploying" runs it:

  1. `terraform apply` with deploy_workloads = false on an empty moto (only the account's
     public hosted zone exists, as the configuration requires);
  2. the images the first build would push, tagged image_tag, put into the new registries;
  3. `terraform apply` with deploy_workloads = true;
  4. `terraform plan` again: it must show no change (a perpetual diff fails);
  5. `terraform destroy`: the state must end empty.

Resource types moto does not emulate are left out, with everything that depends on them,
found through the plan graph (`terraform graph -type=plan`, whose nodes include locals,
variables and outputs, so a dependency through a local is followed too). Everything else
is targeted. The summary lists what was applied by type and what was left out and why.

  python apply.py --terraform-dir infra/terraform --plugin-dir /opt/tf-plugins

Needs moto[server] and boto3 (the venv scripts/services.sh pins) and terraform. Starts its own
moto server on a free loopback port and stops it. Exit status non-zero on any failure.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3

REGION = "us-west-2"
ZONE = "migrationai-moto.example"
FRONTEND_PLATFORM = "ecs"

# Resource types left out, and why. Their dependents are left out too (graph closure).
UNSUPPORTED = {
    "aws_apprunner_service": "moto has no App Runner (and new AWS accounts cannot create it)",
    "aws_apprunner_vpc_connector": "moto has no App Runner",
    "aws_apprunner_auto_scaling_configuration_version": "moto has no App Runner",
    "aws_apprunner_observability_configuration": "moto has no App Runner",
    "aws_memorydb_acl": "moto does not emulate MemoryDB ACLs",
    "aws_memorydb_user": "moto does not emulate MemoryDB users (the provider waits for an active user forever)",
    "aws_codestarconnections_connection": "moto has no CodeStar Connections",
    "aws_sqs_queue_redrive_allow_policy": "moto does not return RedriveAllowPolicy; the provider waits for it forever",
    "aws_cloudtrail": "moto's StartLogging finds trails by name only; the provider passes the trail's ARN (moto answers 500)",
    "aws_s3_bucket_logging": "moto's PutBucketLogging permission check crashes (500) on a bucket-policy statement whose Principal is \"*\" (the TLS-only deny)",
    "aws_appautoscaling_target": "moto's Application Auto Scaling does not implement ListTagsForResource, which the provider reads after creating (500)",
    "aws_codebuild_project": "moto's CreateProject requires a source location; a CODEPIPELINE source has none (AWS takes it from the pipeline)",
    "aws_codedeploy_app": "moto's CodeDeploy returns timestamps as strings, which the AWS SDK refuses to decode",
    "aws_codedeploy_deployment_group": "moto's CodeDeploy returns timestamps as strings, which the AWS SDK refuses to decode",
}

# Attributes moto does not read back as AWS does, so the plan after apply shows them changing
# although nothing changed. Any other change in that plan fails the run.
MOTO_DRIFT = {
    ("aws_db_instance", "performance_insights_enabled"): "moto does not keep Performance Insights",
    ("aws_db_parameter_group", "parameter"): "moto does not read back the parameters set on a group",
    ("aws_ecs_service", "availability_zone_rebalancing"): "moto does not return availability_zone_rebalancing (the provider's default is DISABLED)",
    ("aws_lambda_function", "kms_key_arn"): "moto does not return a function's KMSKeyArn",
    ("aws_lambda_function", "logging_config"): "moto does not return a function's LoggingConfig",
    ("aws_lambda_function", "dead_letter_config"): "moto does not return a function's DeadLetterConfig",
    ("aws_lambda_function", "image_config"): "moto returns an empty ImageConfig for an image function that sets none",
    ("aws_s3_bucket_notification", "eventbridge"): "moto does not keep the EventBridge notification setting",
}

SERVICES = [
    "acm", "apprunner", "appautoscaling", "cloudtrail", "cloudwatch", "logs", "codebuild",
    "codedeploy", "codepipeline", "codestarconnections", "ec2", "ecr", "ecs", "elbv2", "events",
    "iam", "kms", "lambda", "memorydb", "rds", "route53", "s3", "secretsmanager", "sns", "sqs",
    "ssm", "sts", "wafv2",
]


def log(msg: str) -> None:
    print(f"moto-apply: {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    """One moto server on loopback, owned by this process."""

    def __init__(self, moto_server: str, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        # AWS managed policies (AmazonSSMManagedInstanceCore, ...) exist in a real account.
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        # ACM issues a DNS-validated certificate once its record exists; moto after a delay.
        env["MOTO_ACM_VALIDATION_WAIT"] = "1"
        self.log_path = workdir / "moto.log"
        self.proc = subprocess.Popen(
            [moto_server, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, env=env,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2)
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"moto did not start: {self.log_path.read_text()[-2000:]}")

    def client(self, service: str):
        return boto3.client(
            service, region_name=REGION, endpoint_url=self.url,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def provider_override(url: str) -> str:
    endpoints = "\n".join(f'    {s} = "{url}"' for s in SERVICES)

    def block(alias: str) -> str:
        return f"""provider "aws" {{
{alias}  region                      = var.region
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  max_retries                 = 2
  endpoints {{
{endpoints}
  }}
}}
"""

    return 'terraform {\n  backend "local" {}\n}\n\n' + block("") + "\n" + block('  alias = "secrets"\n')


class Terraform:
    def __init__(self, workdir: Path, plugin_dir: str | None):
        self.dir = workdir
        cli_config = workdir / "terraformrc"
        cli_config.write_text("")
        self.env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_INPUT="0",
                        TF_CLI_CONFIG_FILE=str(cli_config))
        args = ["init", "-input=false"]
        if plugin_dir:
            args += ["-plugin-dir", plugin_dir]
        self.run(*args)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = ["terraform", args[0], *([] if args[0] == "graph" else ["-no-color"]), *args[1:]]
        proc = subprocess.run(cmd, cwd=self.dir, env=self.env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with (self.dir.parent / f"terraform-{args[0]}.log").open("a") as f:
            f.write(f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}\n")
        if check and proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
            raise RuntimeError(f"terraform {args[0]} failed ({proc.returncode}):\n{tail}")
        return proc


# Read by every command, `terraform graph` included (it takes no -var).
MOTO_TFVARS = f"""dns_zone_name       = "{ZONE}"
frontend_platform   = "{FRONTEND_PLATFORM}"
# A throwaway environment: the load balancers and the database must be destroyable.
deletion_protection = false
"""


def var_args(deploy_workloads: bool) -> list[str]:
    return ["-var", f"deploy_workloads={'true' if deploy_workloads else 'false'}"]


NODE = re.compile(r'^\s*"(?P<a>[^"]+)"\s*->\s*"(?P<b>[^"]+)"')
RESOURCE = re.compile(r"^\[root\] (?P<addr>(?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?: \(expand\))?$")


def graph_dependents(tf: Terraform) -> tuple[dict[str, set[str]], set[str]]:
    """Reverse edges of the plan graph (node -> nodes that depend on it), and resource nodes."""
    out = tf.run("graph", "-type=plan").stdout
    dependents: dict[str, set[str]] = collections.defaultdict(set)
    resources: set[str] = set()
    for line in out.splitlines():
        m = NODE.match(line)
        if not m:
            continue
        a, b = m["a"], m["b"]  # a depends on b
        dependents[b].add(a)
        for n in (a, b):
            r = RESOURCE.match(n)
            if r and not r["addr"].startswith("data."):
                resources.add(r["addr"])
    return dependents, resources


def planned_blocks(tf: Terraform, deploy_workloads: bool) -> set[str]:
    """Resource blocks that have at least one instance in a plan of the whole configuration."""
    tf.run("plan", "-out=full.tfplan", "-refresh=false", *var_args(deploy_workloads))
    show = json.loads(tf.run("show", "-json", "full.tfplan").stdout)
    blocks = set()
    for rc in show.get("resource_changes", []):
        if rc.get("mode") == "managed":
            blocks.add(f'{rc["type"]}.{rc["name"]}')
    return blocks


def left_out(dependents: dict[str, set[str]], resources: set[str], present: set[str]) -> dict[str, str]:
    """Resource blocks to leave out: unsupported ones that exist, and all their dependents."""
    reasons: dict[str, str] = {}
    queue = []
    for addr in sorted(resources & present):
        rtype = addr.split(".")[0]
        if rtype in UNSUPPORTED:
            reasons[addr] = UNSUPPORTED[rtype]
            queue.append((f"[root] {addr} (expand)", addr))
    seen = {n for n, _ in queue}
    while queue:
        node, origin = queue.pop()
        for dep in dependents.get(node, ()):
            if dep in seen:
                continue
            seen.add(dep)
            queue.append((dep, origin))
            r = RESOURCE.match(dep)
            if r and r["addr"] in resources and r["addr"] not in reasons:
                reasons[r["addr"]] = f"depends on {origin}"
    return reasons


def push_first_images(moto: Moto, tag: str) -> list[str]:
    """What the first build pushes: one image per repository, tagged with the creation tag."""
    ecr = moto.client("ecr")
    pushed = []
    for repo in ecr.describe_repositories()["repositories"]:
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1,
                       "digest": "sha256:" + "0" * 64},
            "layers": [],
        })
        ecr.put_image(repositoryName=repo["repositoryName"], imageManifest=manifest, imageTag=tag)
        pushed.append(repo["repositoryName"])
    return pushed


def empty_registries(moto: Moto) -> int:
    """What an operator does before destroying: ECR refuses to delete a repository with images."""
    ecr = moto.client("ecr")
    deleted = 0
    for repo in ecr.describe_repositories()["repositories"]:
        ids = ecr.list_images(repositoryName=repo["repositoryName"])["imageIds"]
        if ids:
            ecr.batch_delete_image(repositoryName=repo["repositoryName"], imageIds=ids)
            deleted += len(ids)
    return deleted


def same_json(a: object, b: object) -> bool:
    try:
        return isinstance(a, str) and isinstance(b, str) and json.loads(a) == json.loads(b)
    except ValueError:
        return False


def plan_drift(plan: dict) -> tuple[list[str], list[str]]:
    """Changes in a plan made right after apply: those moto explains, and the others.

    A JSON attribute that differs only in whitespace is no change. A value left unknown because
    a data source is deferred behind a known moto drift (a policy document reading the database,
    say) is reported with it, as long as some known drift exists to defer it."""
    known: list[str] = []
    unexplained: list[str] = []
    deferred: list[str] = []
    for rc in plan.get("resource_changes", []):
        actions = rc["change"]["actions"]
        if actions in (["no-op"], ["read"]) or rc.get("mode") != "managed":
            continue
        if actions != ["update"]:
            unexplained.append(f'{rc["address"]}: {"/".join(actions)}')
            continue
        before, after = rc["change"]["before"] or {}, rc["change"]["after"] or {}
        unknown = rc["change"].get("after_unknown") or {}
        for key in sorted(set(before) | set(after) | set(unknown)):
            if unknown.get(key) is True:
                deferred.append(f'{rc["address"]}.{key} (unknown until apply)')
            elif before.get(key) == after.get(key) or same_json(before.get(key), after.get(key)):
                continue
            elif (rc["type"], key) in MOTO_DRIFT:
                known.append(f'{rc["address"]}.{key}: {MOTO_DRIFT[(rc["type"], key)]}')
            else:
                unexplained.append(f'{rc["address"]}.{key}: {before.get(key)!r} -> {after.get(key)!r}')
    if known:
        known += [f"{d}: deferred behind the drift above" for d in deferred]
    else:
        unexplained += deferred
    return known, unexplained


def state_types(tf: Terraform) -> collections.Counter:
    out = tf.run("show", "-json").stdout
    doc = json.loads(out) if out.strip() else {}
    counts: collections.Counter = collections.Counter()

    def walk(module: dict) -> None:
        for r in module.get("resources", []):
            if r.get("mode") == "managed":
                counts[r["type"]] += 1
        for child in module.get("child_modules", []):
            walk(child)

    walk(doc.get("values", {}).get("root_module", {}))
    return counts


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--terraform-dir", required=True)
    ap.add_argument("--plugin-dir", default=None)
    ap.add_argument("--moto-server", default=shutil.which("moto_server") or "moto_server")
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="infra-moto."))
    src = Path(args.terraform_dir)
    tfdir = work / "terraform"
    shutil.copytree(src, tfdir, ignore=shutil.ignore_patterns(".terraform", "tests", "*.tfstate*", "*_override.tf"))
    started = time.time()
    moto = Moto(args.moto_server, work)
    try:
        log(f"moto on {moto.url}, working directory {work}")
        (tfdir / "moto_override.tf").write_text(provider_override(moto.url))
        (tfdir / "moto.auto.tfvars").write_text(MOTO_TFVARS)
        # The one thing the configuration expects to exist: the account's public hosted zone.
        moto.client("route53").create_hosted_zone(Name=ZONE, CallerReference="moto-apply")
        tf = Terraform(tfdir, args.plugin_dir)

        dependents, resources = graph_dependents(tf)
        present = planned_blocks(tf, deploy_workloads=True)
        excluded = left_out(dependents, resources, present)
        targets = sorted(present - set(excluded))
        target_args = [f"-target={t}" for t in targets]
        log(f"{len(present)} resource blocks planned; {len(targets)} applied, {len(excluded)} left out")
        for addr, why in sorted(excluded.items()):
            log(f"  left out {addr}: {why}")

        t0 = time.time()
        tf.run("apply", "-auto-approve", "-parallelism=30", *var_args(False), *target_args)
        first = state_types(tf)
        log(f"first apply (deploy_workloads = false, empty registry): {sum(first.values())} resources in {time.time() - t0:.0f} s")

        tag = "bootstrap"
        pushed = push_first_images(moto, tag)
        log(f"first images pushed with tag {tag}: {', '.join(sorted(pushed))}")

        t0 = time.time()
        tf.run("apply", "-auto-approve", "-parallelism=30", *var_args(True), *target_args)
        second = state_types(tf)
        added = second - first
        log(f"second apply (deploy_workloads = true): {sum(second.values())} resources in {time.time() - t0:.0f} s; added "
            + (", ".join(f"{n} {t}" for t, n in sorted(added.items())) or "nothing"))

        tf.run("plan", "-out=check.tfplan", *var_args(True), *target_args)
        check = json.loads(tf.run("show", "-json", "check.tfplan").stdout)
        known, unexplained = plan_drift(check)
        for line in known:
            log(f"  moto drift: {line}")
        if unexplained:
            raise RuntimeError("the plan after apply changes what apply just set (perpetual diff):\n"
                               + "\n".join(unexplained))
        log(f"plan after apply: no change beyond {len(known)} known moto read-back differences")

        log("resources applied, by type:")
        for rtype, n in sorted(second.items()):
            log(f"  {n:4d} {rtype}")

        log(f"images deleted before destroy (ECR keeps non-empty repositories): {empty_registries(moto)}")
        t0 = time.time()
        tf.run("destroy", "-auto-approve", "-parallelism=30", *var_args(True), *target_args)
        remaining = state_types(tf)
        if remaining:
            raise RuntimeError(f"destroy left resources in the state: {dict(remaining)}")
        log(f"destroy: state empty in {time.time() - t0:.0f} s")
        log(f"passed in {time.time() - started:.0f} s")
        return 0
    except Exception as e:  # noqa: BLE001 - report and fail
        log(f"FAILED: {e}")
        log(f"logs in {work}")
        args.keep = True
        return 1
    finally:
        moto.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
