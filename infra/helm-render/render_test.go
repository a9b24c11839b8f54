package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeChart(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func renderChart(t *testing.T, dir string, override map[string]interface{}) ([]renderedFile, error) {
	t.Helper()
	chart, err := loadChart(dir)
	if err != nil {
		t.Fatal(err)
	}
	return render(chart, map[string]interface{}{
		"Values":       mergeValues(chart.Values, override),
		"Chart":        chart.Metadata,
		"Release":      newRelease("rel", "ns"),
		"Capabilities": defaultCapabilities(),
		"Files":        chart.Files,
	})
}

const testChartYaml = "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"4.5\"\n"

func TestRendersIncludeTplToYamlAndChartFields(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml":             testChartYaml,
		"values.yaml":            "greeting: hi {{ .Release.Name }}\nlabels:\n  a: \"1\"\n  b: x\nkeep: yes\n",
		"templates/_helpers.tpl": `{{- define "demo.name" -}}{{ .Chart.Name }}-{{ .Chart.AppVersion }}{{- end -}}`,
		"templates/cm.yaml": `name: {{ include "demo.name" . }}
greeting: {{ tpl .Values.greeting . }}
missing: "{{ .Values.nothing }}"
keep: {{ .Values.keep | default "gone" }}
labels:
  {{- toYaml .Values.labels | nindent 2 }}
parsed: {{ (fromYaml "k: v").k }}
ns: {{ .Release.Namespace }} {{ .Release.Service }} {{ .Capabilities.APIVersions.Has "apps/v1" }}`,
	})
	out, err := renderChart(t, dir, map[string]interface{}{"labels": map[string]interface{}{"b": "y"}, "keep": nil})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].name != "demo/templates/cm.yaml" {
		t.Fatalf("want only demo/templates/cm.yaml (partials skipped), got %+v", out)
	}
	want := `name: demo-4.5
greeting: hi rel
missing: ""
keep: gone
labels:
  a: "1"
  b: "y"
parsed: v
ns: ns Helm true`
	if out[0].content != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out[0].content, want)
	}
}

func TestFailReportsHelmStyleError(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml":              testChartYaml,
		"templates/_helpers.tpl":  `{{- define "demo.validate" -}}{{ fail "first\nsecond" }}{{- end -}}`,
		"templates/validate.yaml": `{{ include "demo.validate" . }}`,
	})
	_, err := renderChart(t, dir, nil)
	if err == nil {
		t.Fatal("expected the render to fail")
	}
	if want := "execution error at (demo/templates/validate.yaml:1:3): first\nsecond"; err.Error() != want {
		t.Fatalf("got %q, want %q", err.Error(), want)
	}
}

func TestRequiredRejectsEmptyString(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml":       testChartYaml,
		"values.yaml":      "url: \"\"\n",
		"templates/a.yaml": `url: {{ required "url is required" .Values.url }}`,
	})
	if _, err := renderChart(t, dir, nil); err == nil || !strings.HasSuffix(err.Error(), "url is required") {
		t.Fatalf("got %v", err)
	}
	if out, err := renderChart(t, dir, map[string]interface{}{"url": "http://x"}); err != nil || out[0].content != "url: http://x" {
		t.Fatalf("got %v %v", out, err)
	}
}

func TestMergeValuesIsDeepAndNullDeletes(t *testing.T) {
	base := map[string]interface{}{"a": map[string]interface{}{"x": 1, "y": 2}, "b": "keep", "c": "drop"}
	got := mergeValues(base, map[string]interface{}{"a": map[string]interface{}{"y": 3}, "c": nil})
	a := got["a"].(map[string]interface{})
	if a["x"] != 1 || a["y"] != 3 || got["b"] != "keep" {
		t.Fatalf("unexpected merge result %v", got)
	}
	if _, ok := got["c"]; ok {
		t.Fatalf("null should delete c: %v", got)
	}
	if base["a"].(map[string]interface{})["y"] != 2 {
		t.Fatal("merge must not modify the base values")
	}
}
