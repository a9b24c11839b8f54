package main

import (
	"path/filepath"
	"strings"
	"testing"
)

const mlopsChart = "../../helm/mlops-streaming"

func renderMlops(t *testing.T, valueFiles ...string) ([]renderedFile, error) {
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
	return render(chart, map[string]interface{}{
		"Values": values, "Chart": chart.Metadata, "Release": newRelease("rel", "ns"),
		"Capabilities": defaultCapabilities(), "Files": chart.Files,
	})
}

func TestMlopsChartRendersEveryCiScenario(t *testing.T) {
	scenarios, _ := filepath.Glob(filepath.Join(mlopsChart, "ci", "*-values.yaml"))
	if len(scenarios) == 0 {
		t.Fatal("no ci/*-values.yaml scenarios found")
	}
	for _, s := range scenarios {
		out, err := renderMlops(t, s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		found := false
		for _, r := range out {
			if strings.HasSuffix(r.name, "configmap-common.yaml") {
				found = strings.Contains(r.content, "KAFKA_BOOTSTRAP:") && strings.Contains(r.content, "REDIS_URL:")
			}
		}
		if !found {
			t.Fatalf("%s: common ConfigMap missing or incomplete", s)
		}
	}
}

func TestMlopsChartReportsEveryProblemInOneError(t *testing.T) {
	_, err := renderMlops(t, "testdata/invalid-values.yaml")
	if err == nil {
		t.Fatal("expected validation to fail")
	}
	for _, want := range []string{"global.kafka.bootstrapServers", "ingestion.replicaCount"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}
