package main

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Helm refuses to nest include/tpl deeper than this.
const maxIncludeDepth = 1000

type renderedFile struct {
	name    string
	content string
	notes   bool
}

// render parses every template into one set (so partials' defines are shared), then
// executes each non-partial file, as Helm's engine does with missingkey=zero.
func render(chart *Chart, top map[string]interface{}) ([]renderedFile, error) {
	root := template.New("gotpl").Option("missingkey=zero")
	root.Funcs(funcMap(root))
	for _, f := range chart.Templates {
		if _, err := root.New(f.name).Parse(f.body); err != nil {
			return nil, fmt.Errorf("parse error in %s: %w", f.name, err)
		}
	}

	var out []renderedFile
	for _, f := range chart.Templates {
		base := path.Base(f.name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		vals := make(map[string]interface{}, len(top)+1)
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": f.name, "BasePath": chart.Metadata.Name + "/templates"}

		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, f.name, vals); err != nil {
			return nil, cleanupExecError(f.name, err)
		}
		out = append(out, renderedFile{
			name:    f.name,
			content: strings.ReplaceAll(buf.String(), "<no value>", ""),
			notes:   base == "NOTES.txt",
		})
	}
	return out, nil
}

// funcMap is Sprig's text functions plus Helm's own, bound to t so include/tpl can see its defines.
func funcMap(t *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these so rendering cannot depend on the machine's environment.
	delete(f, "env")
	delete(f, "expandenv")

	depth := map[string]int{}
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] > maxIncludeDepth {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		clone.Funcs(funcMap(clone))
		if _, err := clone.New("tpl").Parse(text); err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := clone.ExecuteTemplate(&buf, "tpl", data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	f["required"] = func(msg string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, fmt.Errorf("%s", msg)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, fmt.Errorf("%s", msg)
		}
		return val, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", fmt.Errorf("%s", msg) }
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil // helm template never talks to a cluster
	}

	f["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return "" // Helm swallows the error here too
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	f["mustToYaml"] = func(v interface{}) (string, error) {
		data, err := yaml.Marshal(v)
		return strings.TrimSuffix(string(data), "\n"), err
	}
	f["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromYamlArray"] = func(s string) []interface{} {
		a := []interface{}{}
		if err := yaml.Unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	f["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromJsonArray"] = func(s string) []interface{} {
		a := []interface{}{}
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	return template.FuncMap(f)
}

var (
	execLocation = regexp.MustCompile(`^template: (\S+:\d+:\d+): executing `)
	execCause    = regexp.MustCompile(`error calling (?:fail|required): `)
)

// cleanupExecError turns text/template's nested error chain for fail/required into
// Helm's "execution error at (file:line:col): message" form; other errors pass through.
func cleanupExecError(file string, err error) error {
	msg := err.Error()
	locs := execCause.FindAllStringIndex(msg, -1)
	if len(locs) == 0 {
		return fmt.Errorf("rendering %s: %w", file, err)
	}
	where := file
	if m := execLocation.FindStringSubmatch(msg); m != nil {
		where = m[1]
	}
	return fmt.Errorf("execution error at (%s): %s", where, msg[locs[len(locs)-1][1]:])
}
