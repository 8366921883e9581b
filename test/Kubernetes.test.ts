import { describe, expect, it } from "@effect/vitest"
import { Deployment } from "kubernetes-models/apps/v1/Deployment"
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler"
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget"
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy"
import { Namespace } from "kubernetes-models/v1/Namespace"
import { Service } from "kubernetes-models/v1/Service"
import { existsSync, readFileSync } from "node:fs"
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
    expect(() => new Namespace(manifest("namespace.yaml") as never).validate()).not.toThrow()
  })

  it("kubectl apply -k works: the kustomization names every manifest, a namespace it creates, and the image to replace", () => {
    const kustomization = manifest("kustomization.yaml") as {
      namespace: string
      resources: Array<string>
      images: Array<{ name: string; newName: string; newTag: string }>
    }
    const here = new URL("../deploy/kubernetes/", import.meta.url)
    const yamls = ["namespace.yaml", "deployment.yaml", "service.yaml", "hpa.yaml", "pdb.yaml", "networkpolicy.yaml"]
    expect([...kustomization.resources].sort()).toEqual([...yamls].sort())
    for (const file of kustomization.resources) expect(existsSync(new URL(file, here))).toBe(true)
    expect(new Namespace(manifest("namespace.yaml") as never).metadata!.name).toBe(kustomization.namespace)
    // Its images entry matches the Deployment's image by name, so newName/newTag replace it.
    const image = new Deployment(manifest("deployment.yaml") as never).spec!.template.spec!.containers[0]!.image!
    expect(image.split(":")[0]).toBe(kustomization.images[0]!.name)
    expect(image).toMatch(/^registry\.example\.com\//)
  })

  it("the NetworkPolicy lets in the ingress controller and the clients, and out LiteLLM, DNS and the OTLP collector", () => {
    const policy = new NetworkPolicy(manifest("networkpolicy.yaml") as never)
    const namespaces = (peers: ReadonlyArray<{ namespaceSelector?: { matchLabels?: Record<string, string> } }> | undefined) =>
      (peers ?? []).map((p) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"])
    expect(namespaces(policy.spec!.ingress![0]!.from)).toEqual(["ingress-nginx", "mcp-clients"])
    expect(policy.spec!.ingress![0]!.ports).toEqual([{ protocol: "TCP", port: 3100 }])
    const egress = policy.spec!.egress!.map((e) => ({ to: namespaces(e.to), ports: e.ports!.map((p) => p.port) }))
    expect(egress).toEqual([
      { to: ["litellm"], ports: [4000] },
      { to: ["observability"], ports: [4318] },
      { to: ["kube-system"], ports: [53, 53] }
    ])
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

  it("runs the image's heap settings, and they fit the memory limit", () => {
    const container = new Deployment(manifest("deployment.yaml") as never).spec!.template.spec!.containers[0]!
    const nodeOptions = container.env!.find((e) => e.name === "NODE_OPTIONS")!.value!
    const dockerfile = readFileSync(new URL("../Dockerfile", import.meta.url), "utf8")
    expect(dockerfile).toContain(`NODE_OPTIONS="${nodeOptions}"`)
    const flag = (name: string) => Number(nodeOptions.match(new RegExp(`--${name}=(\\d+)`))![1])
    // V8's heap at most: the old space and the young generation (three semi-spaces' worth),
    // with room left in the limit for Node itself (~45 MB) and buffers outside the heap.
    const heapMb = flag("max-old-space-size") + 3 * flag("max-semi-space-size")
    expect(heapMb + 45).toBeLessThan(parseInt(container.resources!.limits!["memory"] as string) * 0.9)
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

describe("docker compose", () => {
  const file = (path: string) => parse(readFileSync(new URL(`../${path}`, import.meta.url), "utf8")) as {
    services: Record<string, Record<string, unknown>>
    networks?: Record<string, Record<string, unknown>>
  }

  it("serves LiteLLM on the host by default: host.docker.internal mapped, published on loopback only", () => {
    const service = file("docker-compose.yml").services["litellm-admin-mcp"]!
    expect(service["extra_hosts"]).toEqual(["host.docker.internal:host-gateway"])
    expect(service["ports"]).toEqual(["127.0.0.1:${MCP_PORT:-3100}:3100"])
    expect(readFileSync(new URL("../.env.example", import.meta.url), "utf8")).toMatch(/^LITELLM_BASE_URL=http:\/\/host\.docker\.internal:4000$/m)
  })

  it("joins LiteLLM's own compose network with the override, reaching it by service name", () => {
    const override = file("deploy/compose/litellm-network.yml")
    expect(override.services["litellm-admin-mcp"]!["networks"]).toEqual(["default", "litellm"])
    expect(override.networks!["litellm"]).toMatchObject({ external: true, name: expect.stringContaining("LITELLM_NETWORK") })
    expect(readFileSync(new URL("../.env.example", import.meta.url), "utf8")).toContain("# LITELLM_BASE_URL=http://litellm:4000")
  })
})
