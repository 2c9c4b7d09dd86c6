// The local node's configuration as kubeadm would write it for this machine: the apiserver's
// certificate covers the addresses Pods use, the kubelet has a node identity, and the settings
// this machine needs (cgroup v1 without systemd, no negative oom_score_adj, no masquerade, no
// DNS) are in the files the node's processes read. The node itself runs in the e2e.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { containerdAddress, nodePaths, writeNodeConfig } from "../../../src/localcluster/node.ts";
import { nodeNetwork } from "../../../src/localcluster/node-network.ts";
import { createPki } from "../../../src/localcluster/pki.ts";

describe("the node's PKI", () => {
  it("covers the Service IP and the host address, and names the kubelet as a node", async () => {
    const pki = await createPki(mkdtempSync(join(tmpdir(), "pki-")), {
      servingIps: [nodeNetwork.hostAddress, nodeNetwork.kubernetesServiceIp],
      node: { name: nodeNetwork.nodeName, address: nodeNetwork.hostAddress },
    });
    const serving = new X509Certificate(pki.servingCert);
    expect(serving.checkIP(nodeNetwork.kubernetesServiceIp)).toBe(nodeNetwork.kubernetesServiceIp);
    expect(serving.checkIP(nodeNetwork.hostAddress)).toBe(nodeNetwork.hostAddress);
    expect(serving.checkHost("kubernetes.default.svc.cluster.local")).toBeDefined();
    const client = new X509Certificate(pki.kubelet?.clientCert ?? "");
    expect(client.subject).toBe(`CN=system:node:${nodeNetwork.nodeName}\nO=system:nodes`);
    const kubeletServing = new X509Certificate(pki.kubelet?.servingCert ?? "");
    expect(kubeletServing.checkIP(nodeNetwork.hostAddress)).toBe(nodeNetwork.hostAddress);
    expect(kubeletServing.verify(new X509Certificate(pki.caCert).publicKey)).toBe(true);
  });

  it("gives no node certificates without a node", async () => {
    const pki = await createPki(mkdtempSync(join(tmpdir(), "pki-")));
    expect(pki.kubelet).toBeUndefined();
    expect(new X509Certificate(pki.servingCert).checkIP(nodeNetwork.hostAddress)).toBeUndefined();
  });
});

describe("writeNodeConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "node-config-"));
  const lines = writeNodeConfig({
    dir,
    net: nodeNetwork,
    adminKubeconfig: join(dir, "kubeconfig"),
    kubeletKubeconfig: "kubelet kubeconfig",
    kubelet: {
      port: 10250,
      healthzPort: 10248,
      caFile: "/ca.crt",
      servingCertFile: "/kubelet.crt",
      servingKeyFile: "/kubelet.key",
    },
    schedulerPort: 10259,
    proxyPorts: [10256, 10249],
  });
  const paths = nodePaths(dir);
  const read = (path: string) => readFileSync(path, "utf8");

  it("runs containerd's CRI on the node's own socket, refusing negative oom_score_adj", () => {
    const toml = read(paths.containerdConfig);
    expect(toml).toContain(`address = "${containerdAddress}"`);
    expect(toml).toContain("restrict_oom_score_adj = true");
    expect(toml).toContain("SystemdCgroup = false");
    expect(toml).toContain(`conf_dir = "${paths.cniConfDir}"`);
    expect(lines.containerd).toEqual([`--config=${paths.containerdConfig}`]);
  });

  it("puts Pods on the bridge with the host as gateway and no masquerade", () => {
    const conflist = JSON.parse(read(join(paths.cniConfDir, "10-dnsimple-cert-operator.conflist")));
    const [bridge] = conflist.plugins;
    expect(bridge).toMatchObject({
      type: "bridge",
      bridge: nodeNetwork.bridge,
      isGateway: true,
      ipMasq: false,
    });
    expect(bridge.ipam.ranges).toEqual([
      [{ subnet: nodeNetwork.podSubnet, gateway: nodeNetwork.hostAddress }],
    ]);
  });

  it("configures the kubelet for cgroup v1 without systemd, on the host address, with no DNS", () => {
    const kubelet = parse(read(paths.kubeletConfig));
    expect(kubelet).toMatchObject({
      address: nodeNetwork.hostAddress,
      port: 10250,
      readOnlyPort: 0,
      cgroupDriver: "cgroupfs",
      failCgroupV1: false,
      authentication: { anonymous: { enabled: false }, x509: { clientCAFile: "/ca.crt" } },
      authorization: { mode: "Webhook" },
      containerRuntimeEndpoint: `unix://${containerdAddress}`,
    });
    expect(read(kubelet.resolvConf)).toMatch(/^nameserver 127\.0\.0\.1$/m);
    expect(lines.kubelet).toContain(`--node-ip=${nodeNetwork.hostAddress}`);
    expect(read(paths.kubeletKubeconfig)).toBe("kubelet kubeconfig");
  });

  it("runs kube-proxy in iptables mode without NodePorts on loopback", () => {
    const proxy = parse(read(paths.kubeProxyConfig));
    expect(proxy).toMatchObject({
      mode: "iptables",
      clusterCIDR: nodeNetwork.podSubnet,
      nodePortAddresses: [`${nodeNetwork.hostAddress}/32`],
      iptables: { localhostNodePorts: false },
    });
  });
});
