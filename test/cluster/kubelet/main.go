// Command podpath-kubelet is the test control plane's kubelet stand-in for one node: the part of
// a kubelet that a node-debug pod needs, and nothing else.
//
//   - It registers its Node (or takes over the one the test made) with the addresses and port the
//     API server dials: InternalIP 127.0.0.1, status.daemonEndpoints.kubeletEndpoint.Port.
//   - It watches the pods bound to its node (spec.nodeName) and marks each new one Running, as a
//     kubelet does once the containers started. No container is started.
//   - It serves the kubelet's exec endpoint, /exec/{namespace}/{pod}[/{uid}]/{container}, over TLS
//     on loopback, requiring the API server's client certificate (--kubelet-client-certificate),
//     with the streaming code the kubelet and the CRI runtimes use (k8s.io/cri-streaming's
//     ServeExec: SPDY v1–v4 and the pre-v5 WebSocket protocols, exit codes on the error stream).
//     A real node has two hops here (kubelet → the runtime's streaming server); this is one.
//   - Its "container runtime" runs each command in the node's network namespace, as
//     `ip netns exec NETNS`: what a privileged hostNetwork pod on that node sees. The container's
//     image is a folder (--image-path): a program not in it is not found, as runc reports it.
//
// Not done: authorizing the API server's requests beyond its client certificate, pod sandboxes,
// logs, attach, port-forward, activeDeadlineSeconds, the Node's heartbeats.
//
// With --until-stdin-closes it ends when its standard input closes, so a test that dies takes its
// stand-in (and the commands it runs) along. On stdout it prints `ready port=<port> node=<name>`
// once it serves, then one JSON line per exec.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

type config struct {
	kubeconfig, context, node, netns, imagePath string
	certFile, keyFile, clientCAFile             string
	// hold names a program whose exec never ends (a fault for tests: a command that hangs).
	hold string
	// untilStdinCloses ends the stand-in with its parent: a test's pipe closes when the test dies.
	untilStdinCloses bool
}

func main() {
	var c config
	flag.StringVar(&c.kubeconfig, "kubeconfig", "", "kubeconfig with a user that may write Nodes and pods/status")
	flag.StringVar(&c.context, "context", "", "its context (default: the current one)")
	flag.StringVar(&c.node, "node", "", "the Node's name")
	flag.StringVar(&c.netns, "netns", "", "the named network namespace commands run in (ip netns exec)")
	flag.StringVar(&c.imagePath, "image-path", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "the container's PATH: where programs are found")
	flag.StringVar(&c.certFile, "tls-cert-file", "", "serving certificate, valid for 127.0.0.1")
	flag.StringVar(&c.keyFile, "tls-private-key-file", "", "its key")
	flag.StringVar(&c.clientCAFile, "client-ca-file", "", "CA that signs the API server's client certificate")
	flag.StringVar(&c.hold, "hold", "", "a program whose exec hangs until the stand-in ends (tests)")
	flag.BoolVar(&c.untilStdinCloses, "until-stdin-closes", false, "end when standard input closes")
	flag.Parse()
	for name, value := range map[string]string{"kubeconfig": c.kubeconfig, "node": c.node, "netns": c.netns, "tls-cert-file": c.certFile, "tls-private-key-file": c.keyFile, "client-ca-file": c.clientCAFile} {
		if value == "" {
			fail(fmt.Errorf("--%s is required", name))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if c.untilStdinCloses {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}
	if err := run(ctx, c); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "podpath-kubelet: %v\n", err)
	os.Exit(1)
}

func run(ctx context.Context, c config) error {
	ipPath, err := exec.LookPath("ip")
	if err != nil {
		return err
	}
	rest, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: c.kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: c.context},
	).ClientConfig()
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(rest)
	if err != nil {
		return err
	}

	tlsConfig, err := serverTLS(c)
	if err != nil {
		return err
	}
	listener, err := tls.Listen("tcp", "127.0.0.1:0", tlsConfig)
	if err != nil {
		return err
	}
	port := listener.Addr().(*net.TCPAddr).Port

	if err := registerNode(ctx, client, c.node, port); err != nil {
		return fmt.Errorf("registering Node %s: %w", c.node, err)
	}
	pods, err := watchPods(ctx, client, c.node)
	if err != nil {
		return err
	}

	k := &kubelet{node: c.node, pods: pods, runtime: &netnsRuntime{ip: ipPath, netns: c.netns, imagePath: c.imagePath, hold: c.hold}}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("/exec/", k.serveExec)
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = server.Close()
	}()
	fmt.Printf("ready port=%d node=%s\n", port, c.node)
	if err := server.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serverTLS serves the kubelet's certificate and, like a kubelet with --client-ca-file, accepts
// only clients whose certificate that CA signed. HTTP/1.1 only: SPDY and WebSocket upgrade it.
func serverTLS(c config) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return nil, err
	}
	pem, err := os.ReadFile(c.clientCAFile)
	if err != nil {
		return nil, err
	}
	cas := x509.NewCertPool()
	if !cas.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no certificate", c.clientCAFile)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    cas,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	}, nil
}

// registerNode creates the Node if it is not there and writes the status the API server reads
// to reach this kubelet.
func registerNode(ctx context.Context, client kubernetes.Interface, name string, port int) error {
	_, err := client.CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}},
	}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		now := metav1.Now()
		node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}, {Type: corev1.NodeHostName, Address: name}}
		node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
		node.Status.Conditions = []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "podpath-kubelet is serving exec",
			LastHeartbeatTime: now, LastTransitionTime: now,
		}}
		node.Status.NodeInfo.KubeletVersion = "podpath-kubelet"
		node.Status.NodeInfo.OperatingSystem = "linux"
		_, err = client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
		return err
	})
}

// watchPods keeps the pods bound to `node` and marks each one that is Pending as Running.
func watchPods(ctx context.Context, client kubernetes.Interface, node string) (corelisters.PodLister, error) {
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", node).String()
	}))
	informer := factory.Core().V1().Pods()
	onPod := func(obj any) {
		if pod, ok := obj.(*corev1.Pod); ok && pod.DeletionTimestamp == nil && (pod.Status.Phase == "" || pod.Status.Phase == corev1.PodPending) {
			go markRunning(ctx, client, pod.Namespace, pod.Name)
		}
	}
	if _, err := informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    onPod,
		UpdateFunc: func(_, obj any) { onPod(obj) },
	}); err != nil {
		return nil, err
	}
	factory.Start(ctx.Done())
	for typ, synced := range factory.WaitForCacheSync(ctx.Done()) {
		if !synced {
			return nil, fmt.Errorf("the %v watch did not sync", typ)
		}
	}
	return informer.Lister(), nil
}

// markRunning writes the status a kubelet writes once every container started.
func markRunning(ctx context.Context, client kubernetes.Interface, namespace, name string) {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		pod, err := client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil || pod.DeletionTimestamp != nil || (pod.Status.Phase != "" && pod.Status.Phase != corev1.PodPending) {
			return err
		}
		now := metav1.Now()
		pod.Status.Phase = corev1.PodRunning
		pod.Status.HostIP = "127.0.0.1"
		pod.Status.StartTime = &now
		pod.Status.Conditions = []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
		}
		pod.Status.ContainerStatuses = nil
		for _, container := range pod.Spec.Containers {
			pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{
				Name: container.Name, Image: container.Image, ImageID: container.Image, Ready: true, Started: &[]bool{true}[0],
				ContainerID: fmt.Sprintf("podpath://%s-%s", pod.UID, container.Name),
				State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
			})
		}
		_, err = client.CoreV1().Pods(namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		return err
	})
	if err != nil && !apierrors.IsNotFound(err) && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "podpath-kubelet: marking pod %s/%s running: %v\n", namespace, name, err)
	}
}

type kubelet struct {
	node    string
	pods    corelisters.PodLister
	runtime remotecommand.Executor
	logMu   sync.Mutex
}

// serveExec is the kubelet's getExec: find the pod and container, then stream the command.
func (k *kubelet) serveExec(w http.ResponseWriter, req *http.Request) {
	parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/exec/"), "/")
	if len(parts) != 3 && len(parts) != 4 {
		http.Error(w, "expected /exec/{namespace}/{pod}[/{uid}]/{container}", http.StatusNotFound)
		return
	}
	namespace, name, container := parts[0], parts[1], parts[len(parts)-1]
	pod, err := k.pods.Pods(namespace).Get(name)
	if err != nil {
		http.Error(w, "pod does not exist", http.StatusNotFound)
		return
	}
	if !hasContainer(pod, container) {
		http.Error(w, fmt.Sprintf("container %q not found in pod %s/%s", container, namespace, name), http.StatusNotFound)
		return
	}
	options, err := remotecommand.NewOptions(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cmd := req.URL.Query()["command"]
	// Upgrade says how the API server came: SPDY/3.1 when it translated a client's WebSocket.
	k.log(map[string]any{"exec": namespace + "/" + name + "/" + container, "command": cmd, "upgrade": req.Header.Get("Upgrade")})
	// The kubelet's defaults: streaming-connection-idle-timeout 4h, stream creation 30 s.
	remotecommand.ServeExec(w, req, k.runtime, namespace+"/"+name, string(pod.UID), container, cmd, options,
		4*time.Hour, remotecommand.DefaultStreamCreationTimeout, remotecommand.SupportedStreamingProtocols)
}

func hasContainer(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	return false
}

func (k *kubelet) log(line map[string]any) {
	k.logMu.Lock()
	defer k.logMu.Unlock()
	_ = json.NewEncoder(os.Stdout).Encode(line)
}

// netnsRuntime runs a container's commands in the node's network namespace.
type netnsRuntime struct {
	ip, netns, imagePath, hold string
}

func (r *netnsRuntime) ExecInContainer(ctx context.Context, _, _, _ string, cmd []string, in io.Reader, out, errOut io.WriteCloser, tty bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	if len(cmd) == 0 {
		return errors.New("no command")
	}
	if tty {
		return errors.New("podpath-kubelet runs no terminal")
	}
	program, err := r.lookPath(cmd[0])
	if err != nil {
		return err
	}
	if cmd[0] == r.hold {
		fmt.Fprintf(os.Stderr, "podpath-kubelet: holding %q\n", cmd)
		<-ctx.Done()
		return ctx.Err()
	}
	c := exec.CommandContext(ctx, r.ip, append([]string{"netns", "exec", r.netns, program}, cmd[1:]...)...)
	c.Env = []string{"PATH=" + r.imagePath}
	if in != nil {
		c.Stdin = in
	}
	c.Stdout, c.Stderr = out, errOut
	// The command ends with the stand-in, as a container's exec ends with its runtime.
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = c.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		// ServeExec sends the exit code (the v4 protocol's NonZeroExitCode status) for this type.
		return utilexec.ExitErrorWrapper{ExitError: exitErr}
	}
	return err
}

// lookPath finds a program in the image's PATH. Not found reads as runc says it:
// `exec: "nft": executable file not found in $PATH`.
func (r *netnsRuntime) lookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(r.imagePath) {
		path := filepath.Join(dir, name)
		if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return path, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}
