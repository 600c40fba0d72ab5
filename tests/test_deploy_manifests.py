"""The deploy files are valid and hardened: Kubernetes manifests against the API schemas
(kubernetes-validate, strict), compose against the Compose spec schema (check-jsonschema's
vendored copy), and the rules docs/operations.md promises, read from the files themselves."""

import subprocess
from typing import Any

import pytest
import yaml

from tests.generators import REPO, python_tool

K8S = sorted((REPO / "deploy" / "k8s").glob("*.yaml"))
COMPOSE = REPO / "deploy" / "compose.yaml"
# Compose v1 (docker-compose 1.29) knows only these top-level keys; `name:` made it refuse the file.
COMPOSE_V1_TOP_LEVEL = {"version", "services", "volumes", "networks", "secrets", "configs"}


def documents() -> list[dict[str, Any]]:
    return [d for path in K8S for d in yaml.safe_load_all(path.read_text()) if d]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in documents() if d["kind"] == kind]


@pytest.mark.slow
def test_manifests_validate_against_the_kubernetes_schemas() -> None:
    tool = python_tool(["kubernetes-validate==1.37.0"])
    result = subprocess.run(
        [str(tool / "kubernetes-validate"), "--strict", "--kubernetes-version", "1.33.0", *map(str, K8S)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_compose_validates_against_the_compose_spec() -> None:
    tool = python_tool(["check-jsonschema==0.39.0"])
    result = subprocess.run(
        [str(tool / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_is_accepted_by_v1_and_restarts_its_services() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    assert set(compose) <= COMPOSE_V1_TOP_LEVEL
    services = compose["services"]
    assert all("restart" in s for s in services.values()), "every service needs a restart policy"
    assert "migrate" in services["migrate"]["command"][-1]
    for name in ("case_api", "case_api_worker", "notifier"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def _pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (d["metadata"]["name"], d["spec"]["template"]["spec"]) for d in of_kind("Deployment") + of_kind("Job")
    ]


def test_pods_are_hardened_and_pinned() -> None:
    assert _pod_specs()
    for name, pod in _pod_specs():
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        # Migrations run once, as the Job: never as an initContainer in every replica.
        assert "initContainers" not in pod, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            image = container["image"]
            assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image tag ({image})"


def test_every_deployment_has_a_startup_probe_a_pdb_and_an_hpa() -> None:
    pdbs = {d["spec"]["selector"]["matchLabels"]["app"] for d in of_kind("PodDisruptionBudget")}
    hpas = {d["spec"]["scaleTargetRef"]["name"] for d in of_kind("HorizontalPodAutoscaler")}
    for deployment in of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        app = deployment["spec"]["template"]["metadata"]["labels"]["app"]
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            if container.get("ports"):  # a server; a worker has no port to probe
                assert "startupProbe" in container, name
        assert app in pdbs, f"{name} has no PodDisruptionBudget"
        if deployment["spec"]["template"]["spec"]["containers"][0].get("ports"):
            assert name in hpas, f"{name} has no HorizontalPodAutoscaler"


def test_network_policy_denies_by_default_and_only_the_notifier_goes_out() -> None:
    policies = {d["metadata"]["name"]: d["spec"] for d in of_kind("NetworkPolicy")}
    deny = policies["default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    notifier_in = policies["notifier"]["ingress"]
    assert notifier_in == [
        {
            # Only the relay talks to the notifier, and it runs in the worker Deployment.
            "from": [{"podSelector": {"matchLabels": {"app": "case-api-worker"}}}],
            "ports": [{"port": 8001, "protocol": "TCP"}],
        },
        {
            # Prometheus, for /metrics (which needs METRICS_TOKEN besides).
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"port": 8001, "protocol": "TCP"}],
        },
    ]
    for name, spec in policies.items():
        anywhere = [
            rule for rule in spec.get("egress", []) for to in rule.get("to", []) if "0.0.0.0/0" in str(to)
        ]
        assert not anywhere or name == "notifier", f"{name} may reach the internet"


def test_pods_outlive_the_shutdown_grace() -> None:
    """The kubelet's SIGKILL comes after preStop + SHUTDOWN_GRACE_SECONDS, so a stopping relay or
    delivery worker releases its leases first; the pods behind a Service sleep in preStop until
    their endpoints are gone; compose waits as long (docs/relay.md)."""
    served = {s["spec"]["selector"]["app"] for s in of_kind("Service")}
    for deployment in of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        env = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
        grace = float(env["SHUTDOWN_GRACE_SECONDS"])
        pre_stop = 0.0
        if name in served:
            command = container["lifecycle"]["preStop"]["exec"]["command"]
            assert command[0] == "sleep", name
            pre_stop = float(command[1])
        assert pod["terminationGracePeriodSeconds"] > grace + pre_stop, name
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("case_api", "case_api_worker", "notifier"):
        grace = float(services[name]["environment"]["SHUTDOWN_GRACE_SECONDS"])
        assert float(services[name]["stop_grace_period"].removesuffix("s")) > grace, name


def test_every_deployment_can_be_scraped() -> None:
    """In production /metrics answers only with METRICS_TOKEN (common.metrics): every service
    Deployment reads it from the handlaggning-metrics Secret."""
    for deployment in of_kind("Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        refs = [e["secretRef"] for e in container.get("envFrom", []) if "secretRef" in e]
        assert {"name": "handlaggning-metrics", "optional": True} in refs, deployment["metadata"]["name"]
