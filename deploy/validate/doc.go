// Package validate checks the deployment artefacts under deploy/ offline.
//
// kubeconform needs schemas from the internet, which CI cannot reach, so the
// manifests are decoded strictly into the k8s.io/api types instead: unknown,
// misspelt (case included) and duplicate fields are errors, as with
// `kubectl apply --validate=strict`. On top of that, the checks cross-reference
// the pieces that must agree: ports, probes, Secret and ConfigMap references,
// selectors, volumes, and the collector config inside the ConfigMap.
//
// It is a module of its own so that the Kubernetes libraries never enter the
// collector's build.
package validate
