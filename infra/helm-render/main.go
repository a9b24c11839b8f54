// Command helm-render renders a Helm chart the way `helm template` does, for machines without Helm.
//
// It covers what this project's charts use: values.yaml plus -f files (deep-merged),
// text/template with Sprig and Helm's own functions, and Helm's output format.
// It does not validate values.schema.json, resolve dependencies or order by kind.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

func main() {
	var files valueFiles
	fs := flag.NewFlagSet("helm-render", flag.ExitOnError)
	fs.Var(&files, "f", "values file merged over the chart's values.yaml (repeatable, later wins)")
	fs.Var(&files, "values", "same as -f")
	release := fs.String("release-name", "release-name", "value of .Release.Name")
	namespace := fs.String("namespace", "default", "value of .Release.Namespace")
	notes := fs.Bool("notes", false, "also print templates/NOTES.txt")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: helm-render CHART_DIR [-f values.yaml ...] [--release-name N] [--namespace NS] [--notes]")
		fs.PrintDefaults()
	}

	// Accept the chart dir before or after the flags, like helm does.
	args := os.Args[1:]
	var chartDir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		chartDir, args = args[0], args[1:]
	}
	_ = fs.Parse(args)
	if chartDir == "" && fs.NArg() > 0 {
		chartDir = fs.Arg(0)
		_ = fs.Parse(fs.Args()[1:])
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "helm-render: unexpected arguments:", fs.Args())
		os.Exit(2)
	}
	if chartDir == "" {
		fs.Usage()
		os.Exit(2)
	}

	if err := run(chartDir, files, *release, *namespace, *notes); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(chartDir string, files []string, release, namespace string, notes bool) error {
	chart, err := loadChart(chartDir)
	if err != nil {
		return err
	}
	values := chart.Values
	for _, f := range files {
		override, err := readValuesFile(f)
		if err != nil {
			return err
		}
		values = mergeValues(values, override)
	}

	top := map[string]interface{}{
		"Values":       values,
		"Chart":        chart.Metadata,
		"Release":      newRelease(release, namespace),
		"Capabilities": defaultCapabilities(),
		"Files":        chart.Files,
	}
	rendered, err := render(chart, top)
	if err != nil {
		return err
	}
	// Manifests first, NOTES.txt last; whitespace-only output is dropped, as helm template does.
	var notesText string
	for _, r := range rendered {
		content := strings.TrimSpace(r.content)
		if r.notes {
			notesText = content
			continue
		}
		if content == "" {
			continue
		}
		fmt.Printf("---\n# Source: %s\n%s\n", filepath.ToSlash(r.name), content)
	}
	if notes && notesText != "" {
		fmt.Printf("\nNOTES:\n%s\n", notesText)
	}
	return nil
}
