import { describe, expect, it } from "@effect/vitest"
import { Deployment } from "kubernetes-models/apps/v1/Deployment"
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler"
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget"
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy"
import { Service } from "kubernetes-models/v1/Service"
import { readFileSync } from "node:fs"
import { parse } from "yaml"

const manifest = (name: string): Record<string, unknown> =>
  parse(readFileSync(new URL(`../deploy/kubernetes/${name}`, import.meta.url), "utf8"))

describe("deploy/kubernetes", () => {
  it("every manifest is a valid Kubernetes object (kubernetes-models' schemas)", () => {
    // validate() throws with the offending path when an object breaks its API schema.
    expect(() => new Deployment(manifest("deployment.yaml") as never).validate()).not.toThrow()
    expect(() => new Service(manifest("service.yaml") as never).validate()).not.toThrow()
    expect(() => new HorizontalPodAutoscaler(manifest("hpa.yaml") as never).validate()).not.toThrow()
    expect(() => new PodDisruptionBudget(manifest("pdb.yaml") as never).validate()).not.toThrow()
    expect(() => new NetworkPolicy(manifest("networkpolicy.yaml") as never).validate()).not.toThrow()
  })

  it("the Deployment runs 2+ hardened replicas, ready while the process can serve, drained after a preStop", () => {
    const deployment = new Deployment(manifest("deployment.yaml") as never)
    const pod = deployment.spec!.template.spec!
    const container = pod.containers[0]!
    expect(deployment.spec!.replicas).toBeGreaterThanOrEqual(2)
    expect(pod.automountServiceAccountToken).toBe(false)
    expect(pod.securityContext?.runAsNonRoot).toBe(true)
    expect(container.securityContext?.readOnlyRootFilesystem).toBe(true)
    expect(container.securityContext?.allowPrivilegeEscalation).toBe(false)
    expect(container.livenessProbe?.httpGet?.path).toBe("/health")
    // Readiness must not follow LiteLLM: a LiteLLM blip would empty the Service.
    expect(container.readinessProbe?.httpGet?.path).toBe("/health")
    expect(container.lifecycle?.preStop?.exec?.command).toEqual(["sleep", "5"])
    expect(pod.topologySpreadConstraints?.[0]?.topologyKey).toBe("kubernetes.io/hostname")
    expect(container.resources?.requests).toBeDefined()
    expect(container.resources?.limits).toBeDefined()
    const seconds = (name: string) => Number(container.env!.find((e) => e.name === name)!.value) / 1000
    const grace = seconds("SHUTDOWN_GRACE_MS")
    // A call started just before SIGTERM fits in the grace, and the grace in the pod's own.
    expect(grace).toBeGreaterThanOrEqual(seconds("TOOL_TIMEOUT_MS"))
    expect(seconds("TOOL_TIMEOUT_MS")).toBeGreaterThanOrEqual(Math.max(seconds("LITELLM_TIMEOUT_MS"), seconds("LITELLM_WRITE_TIMEOUT_MS")))
    expect(5 + grace + 1).toBeLessThan(pod.terminationGracePeriodSeconds!)
  })

  it("the Service, HPA and PDB select and scale that Deployment", () => {
    const labels = new Deployment(manifest("deployment.yaml") as never).spec!.template.metadata!.labels!
    expect(new Service(manifest("service.yaml") as never).spec!.selector).toEqual(labels)
    expect(new PodDisruptionBudget(manifest("pdb.yaml") as never).spec!.selector!.matchLabels).toEqual(labels)
    const hpa = new HorizontalPodAutoscaler(manifest("hpa.yaml") as never)
    expect(hpa.spec!.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "litellm-admin-mcp" })
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(2)
    expect(hpa.spec!.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThanOrEqual(300)
    const policy = new NetworkPolicy(manifest("networkpolicy.yaml") as never)
    expect(policy.spec!.podSelector!.matchLabels).toEqual(labels)
    expect(policy.spec!.policyTypes).toEqual(["Ingress", "Egress"])
  })

  it("a broken manifest is caught", () => {
    const broken = manifest("deployment.yaml")
    ;(broken["spec"] as Record<string, unknown>)["replicas"] = "two"
    expect(() => new Deployment(broken as never).validate()).toThrow()
  })
})
