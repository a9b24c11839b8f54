package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Metadata mirrors Helm's Chart.yaml fields; templates see them capitalised (.Chart.AppVersion).
type Metadata struct {
	APIVersion   string                   `json:"apiVersion"`
	Name         string                   `json:"name"`
	Version      string                   `json:"version"`
	AppVersion   string                   `json:"appVersion"`
	KubeVersion  string                   `json:"kubeVersion"`
	Description  string                   `json:"description"`
	Type         string                   `json:"type"`
	Home         string                   `json:"home"`
	Icon         string                   `json:"icon"`
	Condition    string                   `json:"condition"`
	Tags         string                   `json:"tags"`
	Deprecated   bool                     `json:"deprecated"`
	Keywords     []string                 `json:"keywords"`
	Sources      []string                 `json:"sources"`
	Maintainers  []map[string]interface{} `json:"maintainers"`
	Annotations  map[string]string        `json:"annotations"`
	Dependencies []map[string]interface{} `json:"dependencies"`
}

// Files gives templates read access to the chart's non-template files, as Helm's .Files does.
type Files map[string][]byte

func (f Files) Get(name string) string      { return string(f[name]) }
func (f Files) GetBytes(name string) []byte { return f[name] }

type templateFile struct {
	name string // "<chart>/templates/<file>", the name Helm gives it
	body string
}

type Chart struct {
	Metadata  *Metadata
	Values    map[string]interface{}
	Templates []templateFile
	Files     Files
}

func loadChart(dir string) (*Chart, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("reading Chart.yaml: %w", err)
	}
	meta := &Metadata{}
	if err := yaml.Unmarshal(raw, meta); err != nil {
		return nil, fmt.Errorf("parsing Chart.yaml: %w", err)
	}
	if meta.Name == "" {
		return nil, fmt.Errorf("Chart.yaml: name is required")
	}

	values := map[string]interface{}{}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err == nil {
		if values, err = readValuesFile(filepath.Join(dir, "values.yaml")); err != nil {
			return nil, err
		}
	}

	chart := &Chart{Metadata: meta, Values: values, Files: Files{}}
	err = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "templates/") {
			chart.Templates = append(chart.Templates, templateFile{name: meta.Name + "/" + rel, body: string(body)})
		} else {
			chart.Files[rel] = body
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(chart.Templates, func(i, j int) bool { return chart.Templates[i].name < chart.Templates[j].name })
	return chart, nil
}

func readValuesFile(path string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading values: %w", err)
	}
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(raw, &values); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	if values == nil { // an empty or comment-only file
		values = map[string]interface{}{}
	}
	return values, nil
}

// mergeValues deep-merges override onto base (Helm's coalescing for -f files):
// maps merge key by key, anything else replaces, and an explicit null deletes the key.
func mergeValues(base, override map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if v == nil {
			delete(out, k)
			continue
		}
		if om, ok := v.(map[string]interface{}); ok {
			if bm, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeValues(bm, om)
				continue
			}
		}
		out[k] = v
	}
	return out
}

type Release struct {
	Name      string
	Namespace string
	Service   string
	Revision  int
	IsInstall bool
	IsUpgrade bool
}

func newRelease(name, namespace string) Release {
	return Release{Name: name, Namespace: namespace, Service: "Helm", Revision: 1, IsInstall: true}
}

type KubeVersion struct{ Version, Major, Minor, GitVersion string }

func (k KubeVersion) String() string { return k.Version }

type APIVersions []string

func (a APIVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions APIVersions
	HelmVersion map[string]string
}

func defaultCapabilities() Capabilities {
	return Capabilities{
		KubeVersion: KubeVersion{Version: "v1.30.0", Major: "1", Minor: "30", GitVersion: "v1.30.0"},
		APIVersions: APIVersions{"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2",
			"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "monitoring.coreos.com/v1"},
		HelmVersion: map[string]string{"version": "v3.16.0"},
	}
}
