// validate-manifests decodes every document of a Kubernetes YAML stream (what `helm template`
// prints) strictly into the Kubernetes API's own Go types, chosen by apiVersion and kind, and
// exits 1 naming each document with an unknown field, a duplicate field, a value of the wrong
// type or a kind it does not know. A cluster would reject those same documents on apply (or, for
// unknown fields, silently drop them); no cluster can run here, so the API types stand in for it.
//
// Usage: helm template … | validate-manifests [-json] [FILE…]
//
// With -json, what it prints on success is the documents as one JSON array (each with "source",
// helm's template path, and "object"), for tests to assert on without a YAML parser of their own.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// The API groups a chart may render; a kind outside them is an error, not a skip, so that nothing
// reaches a cluster unchecked.
func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme,
		appsv1.AddToScheme,
		autoscalingv2.AddToScheme,
		policyv1.AddToScheme,
		networkingv1.AddToScheme,
		monitoringv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}

type document struct {
	source string // helm's "# Source: chart/templates/x.yaml", or FILE#N
	index  int
	body   []byte
}

var sourceComment = regexp.MustCompile(`(?m)^# Source: (.+)$`)

func readDocuments(name string, r io.Reader) ([]document, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var docs []document
	for i := 1; ; i++ {
		body, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d is not YAML: %w", name, i, err)
		}
		source := fmt.Sprintf("%s#%d", name, i)
		if m := sourceComment.FindSubmatch(body); m != nil {
			source = string(m[1])
		}
		if isEmpty(body) {
			continue
		}
		docs = append(docs, document{source: source, index: i, body: body})
	}
}

func isEmpty(body []byte) bool {
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return false
		}
	}
	return true
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// validate returns the document's description and, if it is invalid, why.
func validate(decoder runtime.Decoder, doc document) (string, error) {
	var h header
	if err := sigsyaml.Unmarshal(doc.body, &h); err != nil {
		return fmt.Sprintf("document %d (%s)", doc.index, doc.source), err
	}
	what := fmt.Sprintf("%s %s %q (%s)", h.APIVersion, h.Kind, h.Metadata.Name, doc.source)
	if h.APIVersion == "" || h.Kind == "" {
		return what, errors.New("apiVersion and kind are required")
	}
	if h.Metadata.Name == "" {
		return what, errors.New("metadata.name is required")
	}
	// The strict decoder names the full path of an unknown or duplicate field, e.g.
	// strict decoding error: unknown field "spec.template.spec.containers[0].imagePulPolicy".
	if _, _, err := decoder.Decode(doc.body, nil, nil); err != nil {
		return what, err
	}
	return what, nil
}

type decoded struct {
	Source string          `json:"source"`
	Object json.RawMessage `json:"object"`
}

func main() {
	asJSON := flag.Bool("json", false, "print the valid documents as a JSON array instead of a summary")
	flag.Parse()
	inputs := map[string]io.Reader{}
	names := flag.Args()
	var all []decoded
	if len(names) == 0 {
		names = []string{"stdin"}
		inputs["stdin"] = os.Stdin
	}
	decoder := serializer.NewCodecFactory(newScheme(), serializer.EnableStrict).UniversalDeserializer()
	failed, checked := 0, 0
	for _, name := range names {
		r := inputs[name]
		if r == nil {
			content, err := os.ReadFile(name)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			r = bytes.NewReader(content)
		}
		docs, err := readDocuments(name, r)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for _, doc := range docs {
			checked++
			what, err := validate(decoder, doc)
			if err != nil {
				failed++
				fmt.Fprintf(os.Stderr, "INVALID %s: %v\n", what, err)
				continue
			}
			if *asJSON {
				object, err := sigsyaml.YAMLToJSON(doc.body)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				all = append(all, decoded{Source: doc.source, Object: object})
			} else {
				fmt.Printf("ok %s\n", what)
			}
		}
	}
	if checked == 0 {
		fmt.Fprintln(os.Stderr, "no manifest to validate")
		os.Exit(2)
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "%d of %d manifests invalid\n", failed, checked)
		os.Exit(1)
	}
	if *asJSON {
		out, _ := json.Marshal(all)
		fmt.Println(string(out))
		return
	}
	fmt.Printf("%d manifests valid\n", checked)
}
