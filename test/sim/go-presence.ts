/**
 * @module sim/go-presence
 * Which fields a Go API server writes in protobuf, the rules the official `.proto` files cannot
 * say (every field there is proto2 `optional`). Kubernetes' gogo-generated marshallers write:
 * - every non-pointer field, even empty: `""`, `0`, `false`, and an empty message for a zero
 *   `metav1.Time` or an empty struct;
 * - a pointer field (`*int64`, `*bool`, `*string`, `*Probe`, `*metav1.Time`) only when set;
 * - slices and maps element by element (none when empty), map keys sorted.
 * The tables below name the exceptions to "a scalar is a non-pointer" and "a message field is
 * written when the JSON has it", from the Go types of k8s.io/api core/v1 and apimachinery
 * meta/v1 (v0.36). A field missing here costs exactness, never correctness of a reader: it only
 * adds or drops an empty field, which every reader skips.
 */

/** Scalar fields declared as pointers in Go (written only when set), by message name. */
export const POINTER_SCALARS: Record<string, readonly string[]> = {
  ObjectMeta: ['deletionGracePeriodSeconds'],
  OwnerReference: ['controller', 'blockOwnerDeletion'],
  ListMeta: ['remainingItemCount'],
  PodSpec: [
    'terminationGracePeriodSeconds',
    'activeDeadlineSeconds',
    'automountServiceAccountToken',
    'shareProcessNamespace',
    'priority',
    'runtimeClassName',
    'enableServiceLinks',
    'preemptionPolicy',
    'setHostnameAsFQDN',
    'hostUsers',
    'hostnameOverride',
  ],
  Container: ['restartPolicy'],
  EphemeralContainerCommon: ['restartPolicy'],
  ContainerStatus: ['started', 'stopSignal'],
  SecurityContext: [
    'privileged',
    'runAsUser',
    'runAsGroup',
    'runAsNonRoot',
    'readOnlyRootFilesystem',
    'allowPrivilegeEscalation',
    'procMount',
  ],
  PodSecurityContext: [
    'runAsUser',
    'runAsGroup',
    'runAsNonRoot',
    'supplementalGroupsPolicy',
    'fsGroup',
    'fsGroupChangePolicy',
    'seLinuxChangePolicy',
  ],
  SeccompProfile: ['localhostProfile'],
  AppArmorProfile: ['localhostProfile'],
  WindowsSecurityContextOptions: ['gmsaCredentialSpecName', 'gmsaCredentialSpec', 'runAsUserName', 'hostProcess'],
  VolumeMount: ['recursiveReadOnly', 'mountPropagation'],
  Probe: ['terminationGracePeriodSeconds'],
  GRPCAction: ['service'],
  Toleration: ['tolerationSeconds'],
  HostPathVolumeSource: ['type'],
  SecretVolumeSource: ['defaultMode', 'optional'],
  ConfigMapVolumeSource: ['defaultMode', 'optional'],
  ProjectedVolumeSource: ['defaultMode'],
  DownwardAPIVolumeSource: ['defaultMode'],
  KeyToPath: ['mode'],
  DownwardAPIVolumeFile: ['mode'],
  ConfigMapProjection: ['optional'],
  SecretProjection: ['optional'],
  ServiceAccountTokenProjection: ['expirationSeconds'],
  ClusterTrustBundleProjection: ['name', 'signerName', 'optional'],
  ConfigMapKeySelector: ['optional'],
  SecretKeySelector: ['optional'],
  ConfigMapEnvSource: ['optional'],
  SecretEnvSource: ['optional'],
  FileKeySelector: ['optional'],
  CSIVolumeSource: ['readOnly', 'fsType'],
  PodDNSConfigOption: ['value'],
  ISCSIVolumeSource: ['initiatorName'],
};

/**
 * Non-pointer message fields (Go writes them, empty when zero), by message name, beyond those
 * the JSON already holds. Go's JSON always holds non-pointer structs too, but the simulator's
 * generated pods and kubectl's YAML may not.
 */
export const ALWAYS_MESSAGES: Record<string, readonly string[]> = {
  Pod: ['metadata', 'spec', 'status'],
  ObjectMeta: ['creationTimestamp'],
  PodList: ['metadata'],
  Container: ['resources'],
  ContainerStatus: ['state', 'lastState'],
  ContainerStateRunning: ['startedAt'],
  ContainerStateTerminated: ['startedAt', 'finishedAt'],
  PodCondition: ['lastProbeTime', 'lastTransitionTime'],
  Volume: ['volumeSource'],
  Probe: ['handler'],
  WeightedPodAffinityTerm: ['podAffinityTerm'],
  HTTPGetAction: ['port'],
  TCPSocketAction: ['port'],
  ResourceFieldSelector: ['divisor'],
  ConfigMapVolumeSource: ['localObjectReference'],
  ConfigMapProjection: ['localObjectReference'],
  SecretProjection: ['localObjectReference'],
  ConfigMapKeySelector: ['localObjectReference'],
  SecretKeySelector: ['localObjectReference'],
  ConfigMapEnvSource: ['localObjectReference'],
  SecretEnvSource: ['localObjectReference'],
  EphemeralContainer: ['ephemeralContainerCommon'],
};

/**
 * Go structs embedded in their parent (`json:",inline"`): in JSON their fields sit in the
 * parent, in protobuf they are a message under this field name.
 */
export const EMBEDDED = new Set(['volumeSource', 'handler', 'localObjectReference', 'ephemeralContainerCommon']);
