package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const mlopsChart = "../../helm/mlops-streaming"

// The six service blocks of values.yaml, in the chart's order.
var mlopsComponents = []string{"ingestion", "features", "inference", "labeljoin", "drift", "alerting", "rollout"}

func renderMlops(t *testing.T, valueFiles ...string) ([]renderedFile, error) {
	t.Helper()
	return renderMlopsWith(t, valueFiles)
}

// renderMlopsWith renders the chart with the value files, then each inline YAML override, merged in order.
func renderMlopsWith(t *testing.T, valueFiles []string, overrides ...string) ([]renderedFile, error) {
	t.Helper()
	chart, err := loadChart(mlopsChart)
	if err != nil {
		t.Fatal(err)
	}
	values := chart.Values
	for _, f := range valueFiles {
		override, err := readValuesFile(f)
		if err != nil {
			t.Fatal(err)
		}
		values = mergeValues(values, override)
	}
	for _, o := range overrides {
		override := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(o), &override); err != nil {
			t.Fatalf("override %q: %v", o, err)
		}
		values = mergeValues(values, override)
	}
	return render(chart, map[string]interface{}{
		"Values": values, "Chart": chart.Metadata, "Release": newRelease("rel", "ns"),
		"Capabilities": defaultCapabilities(), "Files": chart.Files,
	})
}

// The parts of the rendered manifests the tests look at (sigs.k8s.io/yaml matches JSON names case-insensitively).

type meta struct {
	Name        string
	Namespace   string
	Labels      map[string]string
	Annotations map[string]string
}

type envVar struct {
	Name      string
	Value     string
	ValueFrom *struct {
		SecretKeyRef *struct{ Name, Key string }
	}
}

type probe struct {
	HTTPGet *struct {
		Path string
		Port interface{}
	} `json:"httpGet"`
	InitialDelaySeconds, PeriodSeconds, TimeoutSeconds, FailureThreshold int
}

func (p *probe) String() string {
	if p == nil || p.HTTPGet == nil {
		return fmt.Sprintf("%#v", p)
	}
	return fmt.Sprintf("GET %s on %v, delay %d period %d timeout %d failures %d", p.HTTPGet.Path, p.HTTPGet.Port,
		p.InitialDelaySeconds, p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold)
}

type container struct {
	Name, Image, ImagePullPolicy string
	Ports                        []struct {
		Name          string
		ContainerPort int
	}
	EnvFrom []struct {
		ConfigMapRef *struct{ Name string }
		SecretRef    *struct{ Name string }
	}
	Env             []envVar
	LivenessProbe   *probe
	ReadinessProbe  *probe
	Resources       map[string]interface{}
	SecurityContext map[string]interface{}
	VolumeMounts    []struct {
		Name, MountPath string
		ReadOnly        bool
	}
}

type deployment struct {
	Metadata meta
	Spec     struct {
		Replicas *int
		Strategy struct{ Type string }
		Selector struct{ MatchLabels map[string]string }
		Template struct {
			Metadata meta
			Spec     struct {
				AutomountServiceAccountToken *bool
				SecurityContext              map[string]interface{}
				ImagePullSecrets             []struct{ Name string }
				Containers                   []container
				Volumes                      []volume
				NodeSelector                 map[string]string
				Tolerations                  []map[string]interface{}
			}
		}
	}
}

type volume struct {
	Name      string
	EmptyDir  map[string]interface{}
	ConfigMap *struct {
		Name  string
		Items []struct{ Key, Path string }
	}
	PersistentVolumeClaim *struct {
		ClaimName string
		ReadOnly  bool
	}
	NFS map[string]interface{}
}

type service struct {
	Metadata meta
	Spec     struct {
		Type     string
		Selector map[string]string
		Ports    []struct {
			Name       string
			Port       int
			TargetPort interface{}
		}
	}
}

type hpa struct {
	Metadata meta
	Spec     struct {
		ScaleTargetRef struct{ APIVersion, Kind, Name string }
		MinReplicas    int
		MaxReplicas    int
		Metrics        []struct {
			Resource struct {
				Name   string
				Target struct{ AverageUtilization int }
			}
		}
	}
}

type pdb struct {
	Metadata meta
	Spec     struct {
		MinAvailable   interface{}
		MaxUnavailable interface{}
		Selector       struct{ MatchLabels map[string]string }
	}
}

type configMap struct {
	Metadata meta
	Data     map[string]string
}

// manifests is every rendered document, by kind, as raw YAML (decode with decodeAs).
type manifests map[string][]string

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

func parseManifests(t *testing.T, out []renderedFile) manifests {
	t.Helper()
	m := manifests{}
	for _, r := range out {
		if r.notes {
			continue
		}
		for _, doc := range docSeparator.Split(r.content, -1) {
			var head struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				t.Fatalf("%s: a document is not YAML: %v\n%s", r.name, err, doc)
			}
			if head.Kind == "" {
				if strings.TrimSpace(stripComments(doc)) != "" {
					t.Fatalf("%s: a document has no kind:\n%s", r.name, doc)
				}
				continue
			}
			m[head.Kind] = append(m[head.Kind], doc)
		}
	}
	return m
}

func stripComments(doc string) string {
	var kept []string
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

func decodeAs[T any](t *testing.T, docs []string) map[string]T {
	t.Helper()
	out := map[string]T{}
	for _, doc := range docs {
		var name struct{ Metadata meta }
		var v T
		if err := yaml.Unmarshal([]byte(doc), &name); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatalf("decoding %s: %v", name.Metadata.Name, err)
		}
		if _, dup := out[name.Metadata.Name]; dup {
			t.Fatalf("two documents of one kind are named %s", name.Metadata.Name)
		}
		out[name.Metadata.Name] = v
	}
	return out
}

func keys[T any](m map[string]T) []string {
	var k []string
	for name := range m {
		k = append(k, name)
	}
	sort.Strings(k)
	return k
}

func envOf(c container) map[string]envVar {
	env := map[string]envVar{}
	for _, e := range c.Env {
		env[e.Name] = e // a later entry wins, as in Kubernetes
	}
	return env
}

func envIndex(c container, name string) int {
	for i, e := range c.Env {
		if e.Name == name {
			return i
		}
	}
	return -1
}

// expectedService is what a ci scenario must render for one enabled service.
type expectedService struct {
	image      string
	pullPolicy string
	replicas   int // 0: autoscaled, so the Deployment leaves replicas to the HPA
	port       int
	hpa        *[2]int // min, max
	pdb        string  // "minAvailable=1", "maxUnavailable=50%", or "" for none
	readiness  bool
	models     *expectedModels // nil: no model store, no MLOPS_MODELS_DIR
}

// expectedModels is a service's model store: an existing claim, mounted read-only at mountPath.
type expectedModels struct{ claim, mountPath string }

type expectedScenario struct {
	services      map[string]expectedService // every other service must render nothing
	specConfigMap string
	specKey       string
	chartSpec     bool // the chart renders the spec ConfigMap itself
}

const (
	rel          = "rel-mlops-streaming-"
	specPath     = "/etc/mlops/spec/spec.yaml"
	specMountDir = "/etc/mlops/spec"
)

var ciScenarios = map[string]expectedScenario{
	"default-values.yaml": {
		services: map[string]expectedService{
			"ingestion": {image: "mlops-streaming/ingestion:0.1.0", pullPolicy: "IfNotPresent", replicas: 2, port: 8080, readiness: true},
			"features":  {image: "mlops-streaming/features:0.1.0", pullPolicy: "IfNotPresent", replicas: 2, port: 8080, readiness: true},
			"inference": {image: "mlops-streaming/inference:0.1.0", pullPolicy: "IfNotPresent", replicas: 2, port: 8080, readiness: true,
				models: &expectedModels{claim: "mlops-models", mountPath: "/var/lib/mlops/models"}},
			"rollout": {image: "mlops-streaming/rollout:0.1.0", pullPolicy: "IfNotPresent", replicas: 1, port: 8080, readiness: true},
		},
		specConfigMap: "mlops-spec", specKey: "spec.yaml",
	},
	"minimal-values.yaml": {
		services: map[string]expectedService{
			"ingestion": {image: "registry.example.internal/mlops-streaming/ingestion:0.1.0", pullPolicy: "IfNotPresent", replicas: 1, port: 8080, readiness: true},
		},
		specConfigMap: rel + "spec", specKey: "spec.yaml", chartSpec: true,
	},
	"scaled-values.yaml": {
		services: map[string]expectedService{
			"ingestion": {image: "mlops-streaming/ingestion:1.2.3", pullPolicy: "Always", replicas: 3, port: 9090, pdb: "maxUnavailable=1", readiness: true},
			"features": {image: "mlops-streaming/features@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				pullPolicy: "IfNotPresent", port: 8080, hpa: &[2]int{2, 6}, pdb: "minAvailable=50%"},
			"inference": {image: "mlops-streaming/inference:0.1.0", pullPolicy: "IfNotPresent", replicas: 3, port: 8080, readiness: true,
				models: &expectedModels{claim: "mlops-models-rox", mountPath: "/models"}},
			// The rollout controller is a single active instance however far the rest scales.
			"rollout": {image: "mlops-streaming/rollout:0.1.0", pullPolicy: "IfNotPresent", replicas: 1, port: 8080, readiness: true},
		},
		specConfigMap: "flights-spec", specKey: "flights.yaml",
	},
}

func TestMlopsChartRendersEveryCiScenario(t *testing.T) {
	scenarios, _ := filepath.Glob(filepath.Join(mlopsChart, "ci", "*-values.yaml"))
	if len(scenarios) == 0 {
		t.Fatal("no ci/*-values.yaml scenarios found")
	}
	for _, s := range scenarios {
		want, ok := ciScenarios[filepath.Base(s)]
		if !ok {
			t.Errorf("%s: no expectations in ciScenarios; add them", s)
			continue
		}
		t.Run(filepath.Base(s), func(t *testing.T) {
			out, err := renderMlops(t, s)
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			checkScenario(t, parseManifests(t, out), want)
		})
	}
}

func checkScenario(t *testing.T, m manifests, want expectedScenario) {
	t.Helper()
	configMaps := decodeAs[configMap](t, m["ConfigMap"])
	common, ok := configMaps[rel+"common"]
	if !ok || common.Data["KAFKA_BOOTSTRAP"] == "" || common.Data["REDIS_URL"] == "" || common.Data["SCHEMA_REGISTRY_URL"] == "" {
		t.Fatalf("common ConfigMap missing or incomplete: %+v", common)
	}
	if _, ok := configMaps[rel+"spec"]; ok != want.chartSpec {
		t.Errorf("chart's spec ConfigMap rendered = %v, want %v", ok, want.chartSpec)
	}

	deployments := decodeAs[deployment](t, m["Deployment"])
	services := decodeAs[service](t, m["Service"])
	hpas := decodeAs[hpa](t, m["HorizontalPodAutoscaler"])
	pdbs := decodeAs[pdb](t, m["PodDisruptionBudget"])

	var wantNames, wantHPAs, wantPDBs []string
	for _, component := range mlopsComponents {
		if exp, ok := want.services[component]; ok {
			wantNames = append(wantNames, rel+component)
			if exp.hpa != nil {
				wantHPAs = append(wantHPAs, rel+component)
			}
			if exp.pdb != "" {
				wantPDBs = append(wantPDBs, rel+component)
			}
		}
	}
	sort.Strings(wantNames)
	sort.Strings(wantHPAs)
	sort.Strings(wantPDBs)
	for _, c := range []struct {
		kind      string
		got, want []string
	}{
		{"Deployments", keys(deployments), wantNames}, {"Services", keys(services), wantNames},
		{"HorizontalPodAutoscalers", keys(hpas), wantHPAs}, {"PodDisruptionBudgets", keys(pdbs), wantPDBs},
	} {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v (only enabled services, HPA/PDB only where enabled)", c.kind, c.got, c.want)
		}
	}

	for component, exp := range want.services {
		name := rel + component
		d, ok := deployments[name]
		if !ok {
			continue
		}
		checkDeployment(t, component, d, exp, want)
		checkService(t, component, services[name], d, exp)
		if exp.hpa != nil {
			h := hpas[name]
			if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != name ||
				h.Spec.MinReplicas != exp.hpa[0] || h.Spec.MaxReplicas != exp.hpa[1] ||
				len(h.Spec.Metrics) != 1 || h.Spec.Metrics[0].Resource.Name != "cpu" {
				t.Errorf("%s: HPA %+v, want %s min %d max %d on cpu", component, h.Spec, name, exp.hpa[0], exp.hpa[1])
			}
		}
		if exp.pdb != "" {
			p := pdbs[name]
			got := ""
			if p.Spec.MinAvailable != nil {
				got += fmt.Sprintf("minAvailable=%v", p.Spec.MinAvailable)
			}
			if p.Spec.MaxUnavailable != nil {
				got += fmt.Sprintf("maxUnavailable=%v", p.Spec.MaxUnavailable)
			}
			if got != exp.pdb || fmt.Sprint(p.Spec.Selector.MatchLabels) != fmt.Sprint(d.Spec.Selector.MatchLabels) {
				t.Errorf("%s: PDB %s selecting %v, want %s selecting the Deployment's pods", component, got, p.Spec.Selector.MatchLabels, exp.pdb)
			}
		}
	}
}

func checkDeployment(t *testing.T, component string, d deployment, exp expectedService, want expectedScenario) {
	t.Helper()
	if exp.replicas == 0 && d.Spec.Replicas != nil {
		t.Errorf("%s: replicas %d set although the HPA owns the count", component, *d.Spec.Replicas)
	}
	if exp.replicas != 0 && (d.Spec.Replicas == nil || *d.Spec.Replicas != exp.replicas) {
		t.Errorf("%s: replicas %v, want %d", component, d.Spec.Replicas, exp.replicas)
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("%s: pod labels %v do not match the selector %v", component, d.Spec.Template.Metadata.Labels, d.Spec.Selector.MatchLabels)
		}
	}
	if d.Spec.Selector.MatchLabels["app.kubernetes.io/component"] != component {
		t.Errorf("%s: selector %v lacks the component", component, d.Spec.Selector.MatchLabels)
	}
	pod := d.Spec.Template.Spec
	if pod.SecurityContext["runAsUser"] != float64(1654) || pod.SecurityContext["runAsNonRoot"] != true {
		t.Errorf("%s: pod securityContext %v, want global.podSecurityContext (uid 1654, non-root)", component, pod.SecurityContext)
	}
	if a := d.Spec.Template.Metadata.Annotations; a["checksum/config"] == "" || a["prometheus.io/scrape"] != "true" ||
		a["prometheus.io/port"] != fmt.Sprint(exp.port) || a["prometheus.io/path"] != "/metrics" {
		t.Errorf("%s: pod annotations %v, want checksum/config and Prometheus scraping of port %d", component, a, exp.port)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers, want 1", component, len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Image != exp.image || c.ImagePullPolicy != exp.pullPolicy {
		t.Errorf("%s: image %s (%s), want %s (%s)", component, c.Image, c.ImagePullPolicy, exp.image, exp.pullPolicy)
	}
	if c.SecurityContext["readOnlyRootFilesystem"] != true || c.SecurityContext["allowPrivilegeEscalation"] != false {
		t.Errorf("%s: container securityContext %v, want global.securityContext", component, c.SecurityContext)
	}
	if len(c.Resources) == 0 {
		t.Errorf("%s: no resources", component)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != exp.port {
		t.Errorf("%s: ports %+v, want http %d", component, c.Ports, exp.port)
	}
	if len(c.EnvFrom) == 0 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != rel+"common" {
		t.Errorf("%s: envFrom %+v does not start with the common ConfigMap", component, c.EnvFrom)
	}
	env := envOf(c)
	if env["ASPNETCORE_HTTP_PORTS"].Value != fmt.Sprint(exp.port) {
		t.Errorf("%s: ASPNETCORE_HTTP_PORTS %q, want %d", component, env["ASPNETCORE_HTTP_PORTS"].Value, exp.port)
	}
	if env["MLOPS_SPEC"].Value != specPath {
		t.Errorf("%s: MLOPS_SPEC %q, want %s", component, env["MLOPS_SPEC"].Value, specPath)
	}

	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/health/live" || p.HTTPGet.Port != "http" ||
		p.InitialDelaySeconds != 10 || p.PeriodSeconds != 10 || p.TimeoutSeconds != 2 || p.FailureThreshold != 3 {
		t.Errorf("%s: liveness probe %v, want GET /health/live on http with the values' timings", component, p)
	}
	if p := c.ReadinessProbe; exp.readiness && (p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/health/ready" ||
		p.HTTPGet.Port != "http" || p.InitialDelaySeconds != 5 || p.FailureThreshold != 3) {
		t.Errorf("%s: readiness probe %v, want GET /health/ready on http with the values' timings", component, p)
	} else if !exp.readiness && p != nil {
		t.Errorf("%s: readiness probe rendered although disabled", component)
	}

	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.Name] = vm.MountPath
		if (vm.Name == "spec" || vm.Name == "models") && !vm.ReadOnly {
			t.Errorf("%s: the %s volume is mounted writable", component, vm.Name)
		}
	}
	checkModels(t, component, c, pod.Volumes, exp.models)
	if mounts["tmp"] != "/tmp" || mounts["spec"] != specMountDir {
		t.Errorf("%s: volume mounts %v, want tmp at /tmp and spec at %s (a directory, so updates arrive)", component, mounts, specMountDir)
	}
	var specOK, tmpOK bool
	for _, v := range pod.Volumes {
		switch {
		case v.Name == "tmp" && v.EmptyDir != nil:
			tmpOK = true
		case v.Name == "spec" && v.ConfigMap != nil:
			specOK = v.ConfigMap.Name == want.specConfigMap && len(v.ConfigMap.Items) == 1 &&
				v.ConfigMap.Items[0].Key == want.specKey && v.ConfigMap.Items[0].Path == "spec.yaml"
			if !specOK {
				t.Errorf("%s: spec volume %+v, want key %s of ConfigMap %s as spec.yaml", component, *v.ConfigMap, want.specKey, want.specConfigMap)
			}
		}
	}
	if !specOK || !tmpOK {
		t.Errorf("%s: volumes %+v, want an emptyDir tmp and the spec ConfigMap", component, pod.Volumes)
	}
}

// checkModels checks a service's model store: with one, the claim as a read-only volume, mounted read-only at
// the mount path, which MLOPS_MODELS_DIR names; without one, no trace of it.
func checkModels(t *testing.T, component string, c container, volumes []volume, want *expectedModels) {
	t.Helper()
	var mount string
	for _, vm := range c.VolumeMounts {
		if vm.Name == "models" {
			mount = vm.MountPath
		}
	}
	var store *volume
	for i := range volumes {
		if volumes[i].Name == "models" {
			store = &volumes[i]
		}
	}
	dir, hasDir := envOf(c)["MLOPS_MODELS_DIR"]
	if want == nil {
		if mount != "" || store != nil || hasDir {
			t.Errorf("%s: has no model store, yet renders mount %q, volume %+v, MLOPS_MODELS_DIR %q", component, mount, store, dir.Value)
		}
		return
	}
	if store == nil || store.PersistentVolumeClaim == nil || store.PersistentVolumeClaim.ClaimName != want.claim || !store.PersistentVolumeClaim.ReadOnly {
		t.Errorf("%s: models volume %+v, want the claim %s, readOnly", component, store, want.claim)
	}
	if mount != want.mountPath || dir.Value != want.mountPath {
		t.Errorf("%s: models mounted at %q with MLOPS_MODELS_DIR %q, want both %s", component, mount, dir.Value, want.mountPath)
	}
}

func checkService(t *testing.T, component string, s service, d deployment, exp expectedService) {
	t.Helper()
	if s.Spec.Type != "ClusterIP" || len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Port != exp.port || s.Spec.Ports[0].TargetPort != "http" {
		t.Errorf("%s: Service %+v, want ClusterIP port %d to the http port", component, s.Spec, exp.port)
	}
	if fmt.Sprint(s.Spec.Selector) != fmt.Sprint(d.Spec.Selector.MatchLabels) {
		t.Errorf("%s: Service selects %v, the Deployment's pods are %v", component, s.Spec.Selector, d.Spec.Selector.MatchLabels)
	}
}

func TestMlopsChartRequiresASpecWhileAServiceIsEnabled(t *testing.T) {
	_, err := renderMlops(t) // the chart's defaults: ingestion, features, inference and rollout enabled, no spec
	if err == nil {
		t.Fatal("expected the render to fail without a spec")
	}
	for _, want := range []string{"global.spec: set content", "existingConfigMap", "(ingestion, features, inference, rollout)", "MLOPS_SPEC"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}

	var allOff []string
	for _, c := range mlopsComponents {
		allOff = append(allOff, c+":\n  enabled: false")
	}
	out, err := renderMlopsWith(t, nil, strings.Join(allOff, "\n"))
	if err != nil {
		t.Fatalf("nothing enabled needs no spec, got %v", err)
	}
	if m := parseManifests(t, out); len(m["Deployment"]) != 0 || len(m["Service"]) != 0 {
		t.Errorf("nothing enabled rendered workloads: %v", m)
	}

	_, err = renderMlopsWith(t, nil, "global:\n  spec:\n    content: \"spec: x\"\n    existingConfigMap: y")
	if err == nil || !strings.Contains(err.Error(), "global.spec: set content or existingConfigMap, not both") {
		t.Errorf("both content and existingConfigMap: got %v", err)
	}
	_, err = renderMlopsWith(t, nil, "global:\n  spec:\n    content: \"spec: [unclosed\"")
	if err == nil || !strings.Contains(err.Error(), "global.spec.content: is not a valid YAML mapping") {
		t.Errorf("invalid inline spec: got %v", err)
	}
}

func TestMlopsChartRendersTheInlineSpecVerbatim(t *testing.T) {
	file := filepath.Join(mlopsChart, "ci", "minimal-values.yaml")
	values, err := readValuesFile(file)
	if err != nil {
		t.Fatal(err)
	}
	content := values["global"].(map[string]interface{})["spec"].(map[string]interface{})["content"].(string)
	out, err := renderMlops(t, file)
	if err != nil {
		t.Fatal(err)
	}
	cm := decodeAs[configMap](t, parseManifests(t, out)["ConfigMap"])[rel+"spec"]
	if cm.Data["spec.yaml"] != content {
		t.Errorf("spec ConfigMap holds\n%q\nwant the values' content\n%q", cm.Data["spec.yaml"], content)
	}
	if cm.Metadata.Labels["app.kubernetes.io/component"] != "spec" {
		t.Errorf("spec ConfigMap labels %v", cm.Metadata.Labels)
	}
}

// Connection settings are read once at start, so a change must roll the pods; the spec is hot-reloaded, so not.
func TestMlopsChartRollsPodsOnConnectionChangesOnly(t *testing.T) {
	checksum := func(overrides ...string) string {
		out, err := renderMlopsWith(t, []string{filepath.Join(mlopsChart, "ci", "minimal-values.yaml")}, overrides...)
		if err != nil {
			t.Fatal(err)
		}
		return decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"ingestion"].Spec.Template.Metadata.Annotations["checksum/config"]
	}
	base := checksum()
	if checksum("global:\n  spec:\n    content: \"spec: other\"") != base {
		t.Error("a spec change altered checksum/config: it would restart pods that hot-reload the spec")
	}
	if checksum("global:\n  kafka:\n    bootstrapServers: other:9092") == base {
		t.Error("a Kafka change left checksum/config unchanged: pods would keep the old brokers")
	}
}

func TestMlopsChartTakesCredentialsOnlyFromExistingSecrets(t *testing.T) {
	out, err := renderMlops(t, filepath.Join(mlopsChart, "ci", "minimal-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c := decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"ingestion"].Spec.Template.Spec.Containers[0]
	env := envOf(c)
	secretRef := func(name, secret, key string) {
		t.Helper()
		e, ok := env[name]
		if !ok || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != secret || e.ValueFrom.SecretKeyRef.Key != key {
			t.Errorf("%s: %+v, want secretKeyRef %s/%s", name, e, secret, key)
		}
	}
	for _, client := range []string{"Consumer", "Producer"} {
		if env["Kafka__"+client+"__security.protocol"].Value != "SASL_SSL" || env["Kafka__"+client+"__sasl.mechanism"].Value != "SCRAM-SHA-512" {
			t.Errorf("Kafka %s: security settings missing: %+v", client, env)
		}
		secretRef("Kafka__"+client+"__sasl.username", "mlops-kafka-credentials", "username")
		secretRef("Kafka__"+client+"__sasl.password", "mlops-kafka-credentials", "password")
	}
	secretRef("SCHEMA_REGISTRY_USERNAME", "mlops-schema-registry-credentials", "username")
	secretRef("SCHEMA_REGISTRY_PASSWORD", "mlops-schema-registry-credentials", "password")
	if got := env["SchemaRegistry__BasicAuthUserInfo"].Value; got != "$(SCHEMA_REGISTRY_USERNAME):$(SCHEMA_REGISTRY_PASSWORD)" {
		t.Errorf("SchemaRegistry__BasicAuthUserInfo = %q", got)
	}
	secretRef("REDIS_PASSWORD", "mlops-redis-credentials", "redis-password")
	if got := env["Redis__Configuration"].Value; got != "redis.example.internal:6380,ssl=true,password=$(REDIS_PASSWORD)" {
		t.Errorf("Redis__Configuration = %q", got)
	}
	// $(VAR) only expands variables defined earlier in the list.
	if envIndex(c, "REDIS_PASSWORD") > envIndex(c, "Redis__Configuration") ||
		envIndex(c, "SCHEMA_REGISTRY_PASSWORD") > envIndex(c, "SchemaRegistry__BasicAuthUserInfo") {
		t.Error("a $(VAR) reference comes before the variable it expands")
	}

	// Without secrets and on PLAINTEXT, no credential variable at all.
	out, err = renderMlops(t, filepath.Join(mlopsChart, "ci", "default-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"features"].Spec.Template.Spec.Containers[0].Env {
		if strings.HasPrefix(e.Name, "Kafka__") || strings.Contains(e.Name, "PASSWORD") || strings.HasPrefix(e.Name, "Redis__") || strings.HasPrefix(e.Name, "SchemaRegistry__") {
			t.Errorf("default values render credential variable %s", e.Name)
		}
	}

	_, err = renderMlopsWith(t, nil, "global:\n  spec: {existingConfigMap: s}\n  redis: {url: \"redis://:hunter2@r:6379\", existingSecret: r}")
	if err == nil || !strings.Contains(err.Error(), "global.redis.url: holds a password while existingSecret is set") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("password in the URL with existingSecret: got %v", err)
	}
	_, err = renderMlopsWith(t, nil, "global:\n  spec: {existingConfigMap: s}\n  redis: {url: \"http://:hunter2@r:6379\"}")
	if err == nil || !strings.Contains(err.Error(), "global.redis.url:") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a non-Redis URL must be refused without echoing its password: got %v", err)
	}
}

func TestMlopsChartRendersConfigAndExtraSettingsInPrecedenceOrder(t *testing.T) {
	out, err := renderMlopsWith(t, []string{filepath.Join(mlopsChart, "ci", "scaled-values.yaml")},
		"ingestion:\n  env: [{name: Ingestion__MaxBatchSize, value: \"50\"}]\n  config:\n    Kafka:\n      Consumer:\n        fetch.min.bytes: 1\n    List: [a, b]")
	if err != nil {
		t.Fatal(err)
	}
	c := decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"ingestion"].Spec.Template.Spec.Containers[0]
	env := envOf(c)
	for name, want := range map[string]string{
		"Ingestion__DedupeHorizon":         "2.00:00:00",
		"Kafka__Consumer__fetch.min.bytes": "1",
		"List__0":                          "a",
		"List__1":                          "b",
		"Logging__LogLevel__Default":       "Warning",
		"Ingestion__MaxBatchSize":          "50", // env comes after config and wins
	} {
		if env[name].Value != want {
			t.Errorf("%s = %q, want %q", name, env[name].Value, want)
		}
	}
	if len(c.EnvFrom) != 2 || c.EnvFrom[1].SecretRef == nil || c.EnvFrom[1].SecretRef.Name != "ingestion-extra" {
		t.Errorf("envFrom %+v, want the common ConfigMap then the service's secretRef", c.EnvFrom)
	}
	pod := decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"ingestion"].Spec.Template.Spec
	if pod.NodeSelector["kubernetes.io/os"] != "linux" || len(pod.Tolerations) != 1 {
		t.Errorf("placement not rendered: %v %v", pod.NodeSelector, pod.Tolerations)
	}
}

// A service that is not built yet is off by default; turned on, the same generic template deploys it.
func TestMlopsChartDeploysAnyEnabledServiceBlock(t *testing.T) {
	out, err := renderMlopsWith(t, []string{filepath.Join(mlopsChart, "ci", "default-values.yaml")}, "drift:\n  enabled: true")
	if err != nil {
		t.Fatal(err)
	}
	d, ok := decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"drift"]
	if !ok || d.Spec.Template.Spec.Containers[0].Image != "mlops-streaming/drift:0.1.0" {
		t.Errorf("enabled drift block did not render its Deployment: %+v", d)
	}

	_, err = renderMlopsWith(t, []string{filepath.Join(mlopsChart, "ci", "default-values.yaml")}, "features: null")
	if err == nil || !strings.Contains(err.Error(), "features: the service block is missing") {
		t.Errorf("a missing block must be reported by validation, not crash a template: %v", err)
	}
}

func TestMlopsChartReportsEveryProblemInOneError(t *testing.T) {
	_, err := renderMlops(t, "testdata/invalid-values.yaml")
	if err == nil {
		t.Fatal("expected validation to fail")
	}
	for _, want := range []string{"global.kafka.bootstrapServers", "ingestion.replicaCount", "global.spec", "features.podDisruptionBudget: set minAvailable or maxUnavailable", "inference.models: set existingClaim"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

// Inference loads its models from a read-only store: a claim by default, any other volume source as the alternative.
func TestMlopsChartMountsInferencesModelStoreReadOnly(t *testing.T) {
	inference := func(t *testing.T, overrides ...string) (container, []volume) {
		t.Helper()
		out, err := renderMlopsWith(t, nil, append([]string{"global:\n  spec: {existingConfigMap: s}"}, overrides...)...)
		if err != nil {
			t.Fatal(err)
		}
		d, ok := decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"inference"]
		if !ok {
			t.Fatal("inference is enabled by default, yet no Deployment rendered")
		}
		return d.Spec.Template.Spec.Containers[0], d.Spec.Template.Spec.Volumes
	}

	t.Run("existingClaim", func(t *testing.T) {
		c, volumes := inference(t, "inference:\n  models: {existingClaim: mlops-models}")
		checkModels(t, "inference", c, volumes, &expectedModels{claim: "mlops-models", mountPath: "/var/lib/mlops/models"})
		for _, vm := range c.VolumeMounts {
			if vm.Name == "models" && !vm.ReadOnly {
				t.Error("the model store is mounted writable")
			}
		}
		if i := envIndex(c, "MLOPS_MODELS_DIR"); i < 0 || i > envIndex(c, "MLOPS_SPEC")+1 {
			t.Errorf("MLOPS_MODELS_DIR at %d: the chart's own variables come before config/env, so the user's win", i)
		}
	})

	t.Run("volume", func(t *testing.T) {
		c, volumes := inference(t, "inference:\n  models:\n    mountPath: /models\n    volume: {nfs: {server: nfs.example.internal, path: /exports/models, readOnly: true}}")
		var store *volume
		for i := range volumes {
			if volumes[i].Name == "models" {
				store = &volumes[i]
			}
		}
		if store == nil || store.PersistentVolumeClaim != nil || store.NFS["server"] != "nfs.example.internal" || store.NFS["path"] != "/exports/models" {
			t.Errorf("models volume %+v, want the nfs source as given", store)
		}
		var readOnly bool
		for _, vm := range c.VolumeMounts {
			if vm.Name == "models" {
				readOnly = vm.MountPath == "/models" && vm.ReadOnly
			}
		}
		if !readOnly || envOf(c)["MLOPS_MODELS_DIR"].Value != "/models" {
			t.Errorf("mounts %+v, MLOPS_MODELS_DIR %q: want the nfs volume read-only at /models, named by MLOPS_MODELS_DIR", c.VolumeMounts, envOf(c)["MLOPS_MODELS_DIR"].Value)
		}
	})

	t.Run("only where a store is given", func(t *testing.T) {
		out, err := renderMlops(t, filepath.Join(mlopsChart, "ci", "default-values.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		c := decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"features"].Spec.Template.Spec.Containers[0]
		if _, ok := envOf(c)["MLOPS_MODELS_DIR"]; ok {
			t.Error("features has no models block, yet got MLOPS_MODELS_DIR")
		}
	})
}

func TestMlopsChartRequiresExactlyOneModelStoreWhileInferenceIsEnabled(t *testing.T) {
	spec := "global:\n  spec: {existingConfigMap: s}"
	_, err := renderMlopsWith(t, nil, spec) // inference enabled by default, no store
	if err == nil {
		t.Fatal("expected the render to fail without a model store")
	}
	for _, want := range []string{"inference.models: set existingClaim", "or volume", "MLOPS_MODELS_DIR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}

	_, err = renderMlopsWith(t, nil, spec, "inference:\n  models:\n    existingClaim: c\n    volume: {nfs: {server: n, path: /m}}")
	if err == nil || !strings.Contains(err.Error(), "inference.models: set existingClaim or volume, not both") {
		t.Errorf("both existingClaim and volume: got %v", err)
	}

	_, err = renderMlopsWith(t, nil, spec, "inference:\n  models:\n    volume: {name: m, nfs: {server: n, path: /m}}\n    mountPath: /etc/mlops/spec/models")
	for _, want := range []string{"inference.models.volume: must be exactly one volume source", "inference.models.mountPath: \"/etc/mlops/spec/models\" overlaps /etc/mlops/spec"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a named volume under the spec mount: error does not say %q:\n%v", want, err)
		}
	}

	if _, err = renderMlopsWith(t, nil, spec, "inference:\n  enabled: false"); err != nil {
		t.Errorf("a disabled inference needs no model store, got %v", err)
	}
}

func TestMlopsChartRunsTheRolloutControllerAsOneInstance(t *testing.T) {
	for _, override := range []string{"rollout: {replicaCount: 2}", "rollout: {autoscaling: {enabled: true}}"} {
		_, err := renderMlopsWith(t, []string{filepath.Join(mlopsChart, "ci", "default-values.yaml")}, override)
		if err == nil || !strings.Contains(err.Error(), "rollout: the rollout controller must run as one instance") {
			t.Errorf("%s: want the single-instance error, got %v", override, err)
		}
	}
	// Nor two during an upgrade: the old pod stops before the new one starts.
	out, err := renderMlops(t, filepath.Join(mlopsChart, "ci", "default-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	deployments := decodeAs[deployment](t, parseManifests(t, out)["Deployment"])
	for _, component := range []string{"ingestion", "features", "inference", "rollout"} {
		want := ""
		if component == "rollout" {
			want = "Recreate"
		}
		if got := deployments[rel+component].Spec.Strategy.Type; got != want {
			t.Errorf("%s: strategy %q, want %q", component, got, want)
		}
	}
}

// Inference ships with a 64 MB gen0 budget (InferenceRuntime in services/MlOps.Inference): its predict p99 depends
// on it. The other services keep the runtime's default.
func TestMlopsChartSetsInferencesGen0Budget(t *testing.T) {
	out, err := renderMlops(t, filepath.Join(mlopsChart, "ci", "default-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	deployments := decodeAs[deployment](t, parseManifests(t, out)["Deployment"])
	for _, component := range []string{"ingestion", "features", "inference", "rollout"} {
		d, ok := deployments[rel+component]
		if !ok {
			t.Fatalf("no Deployment for %s", component)
		}
		got, set := envOf(d.Spec.Template.Spec.Containers[0])["DOTNET_GCgen0size"]
		if component == "inference" && got.Value != "0x4000000" {
			t.Errorf("inference: DOTNET_GCgen0size %q, want 0x4000000", got.Value)
		}
		if component != "inference" && set {
			t.Errorf("%s: DOTNET_GCgen0size set to %q; only inference needs it", component, got.Value)
		}
	}

	inferenceEnv := func(t *testing.T, override string) map[string]envVar {
		t.Helper()
		out, err := renderMlopsWith(t, nil, "global:\n  spec: {existingConfigMap: s}", "inference:\n  models: {existingClaim: m}\n"+override)
		if err != nil {
			t.Fatal(err)
		}
		return envOf(decodeAs[deployment](t, parseManifests(t, out)["Deployment"])[rel+"inference"].Spec.Template.Spec.Containers[0])
	}
	t.Run("a user's env keeps it", func(t *testing.T) {
		env := inferenceEnv(t, "  env: [{name: LOG_LEVEL, value: debug}]")
		if env["DOTNET_GCgen0size"].Value != "0x4000000" || env["LOG_LEVEL"].Value != "debug" {
			t.Errorf("env %+v: want the user's LOG_LEVEL and the chart's DOTNET_GCgen0size", env)
		}
	})
	t.Run("empty turns it off", func(t *testing.T) {
		if got, set := inferenceEnv(t, "  gcGen0Size: \"\"")["DOTNET_GCgen0size"]; set {
			t.Errorf("DOTNET_GCgen0size %q rendered with gcGen0Size empty", got.Value)
		}
	})
}
