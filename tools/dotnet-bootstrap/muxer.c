/* The `dotnet` host of the bootstrap toolchain (tools/dotnet-bootstrap.sh): finds
 * host/fxr/<version>/libhostfxr.so beside itself and hands it the command line, as the
 * SDK's own muxer does. hostfxr then runs `dotnet app.dll`, and resolves `dotnet build`,
 * `dotnet test`, `dotnet run` to sdk/<version>/dotnet.dll. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*hostfxr_main_startupinfo_fn)(int argc, const char **argv, const char *host_path,
                                           const char *dotnet_root, const char *app_path);

int main(int argc, const char **argv) {
    char self[PATH_MAX], root[PATH_MAX], fxr_dir[PATH_MAX + 16], lib[2 * PATH_MAX], app[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) { perror("dotnet: /proc/self/exe"); return 131; }
    self[n] = '\0';
    strcpy(root, self);
    char *slash = strrchr(root, '/');
    if (slash) *slash = '\0';

    /* The newest version directory under host/fxr (there is normally exactly one). */
    snprintf(fxr_dir, sizeof fxr_dir, "%s/host/fxr", root);
    DIR *d = opendir(fxr_dir);
    if (!d) { fprintf(stderr, "dotnet: %s is missing\n", fxr_dir); return 131; }
    char best[256] = "";
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (strverscmp(e->d_name, best) > 0) snprintf(best, sizeof best, "%s", e->d_name);
    }
    closedir(d);
    if (!best[0]) { fprintf(stderr, "dotnet: no version under %s\n", fxr_dir); return 131; }
    snprintf(lib, sizeof lib, "%s/%s/libhostfxr.so", fxr_dir, best);

    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "dotnet: %s\n", dlerror()); return 131; }
    hostfxr_main_startupinfo_fn run = (hostfxr_main_startupinfo_fn)dlsym(h, "hostfxr_main_startupinfo");
    if (!run) { fprintf(stderr, "dotnet: %s\n", dlerror()); return 131; }
    /* As the real muxer: the "app" is dotnet.dll beside the host, which does not exist, so
     * hostfxr runs in muxer mode. */
    snprintf(app, sizeof app, "%s/dotnet.dll", root);
    return run(argc, argv, self, root, app);
}
