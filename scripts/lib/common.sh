# Shared set-up for scripts/run and scripts/test: install missing Debian packages, configure
# and build, and assemble the QEMU command line. Sourced, not executed.

EXT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$EXT_ROOT/build}

# Debian bookworm packages the build and the tests need.
EXT_PACKAGES=(meson ninja-build g++ python3 qemu-system-x86 musl-tools catch2 clang llvm
              dpkg-dev linux-libc-dev ca-certificates bpftool)

log() { printf '[ext-ebpf] %s\n' "$*" >&2; }

ensure_packages() {
    local missing=()
    for p in "${EXT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        log "missing packages: ${missing[*]} (run as root to install them)"
        return 1
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/ext-ebpf-apt.log 2>&1; then
        log "apt-get update"
        apt-get update -q >>/tmp/ext-ebpf-apt.log 2>&1
        apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/ext-ebpf-apt.log 2>&1 || {
            tail -20 /tmp/ext-ebpf-apt.log >&2
            return 1
        }
    fi
}

ensure_build() {
    if [ ! -f "$BUILD_DIR/build.ninja" ]; then
        log "configuring $BUILD_DIR"
        mkdir -p "$BUILD_DIR"
        meson setup "$BUILD_DIR" "$EXT_ROOT" >"$BUILD_DIR/.meson-setup.log" 2>&1 || {
            cat "$BUILD_DIR/.meson-setup.log" >&2
            return 1
        }
    fi
    log "building"
    ninja -C "$BUILD_DIR" >"$BUILD_DIR/.ninja-output.log" 2>&1 || {
        grep -E "error|FAILED" -A5 "$BUILD_DIR/.ninja-output.log" | head -60 >&2
        return 1
    }
}

# KVM when /dev/kvm works and a probe boot succeeds under it, TCG otherwise. EXT_ACCEL=tcg
# or EXT_ACCEL=kvm forces one. The probe result is cached in the build directory.
qemu_accel() {
    case "${EXT_ACCEL:-}" in
        tcg) echo "-accel tcg"; return ;;
        kvm) echo "-accel kvm"; return ;;
    esac
    local cache="$BUILD_DIR/.kvm-probe"
    if [ ! -f "$cache" ]; then
        local verdict=no
        if [ -w /dev/kvm ]; then
            local firmware=()
            [ -f /usr/share/qemu/qboot.rom ] && firmware=(-bios /usr/share/qemu/qboot.rom)
            local probe_dir
            probe_dir=$(mktemp -d)
            printf 'true\n' > "$probe_dir/autorun"
            python3 "$EXT_ROOT/scripts/mkinitramfs.py" "$probe_dir/o.cpio" /etc/autorun "$probe_dir/autorun"
            timeout 10 qemu-system-x86_64 "${firmware[@]}" -accel kvm -m 256M -nodefaults -display none \
                -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio \
                -kernel "$BUILD_DIR/kernel/kernel.bin" -initrd "$BUILD_DIR/initramfs.cpio,$probe_dir/o.cpio" \
                </dev/null >"$probe_dir/out" 2>&1
            grep -q "init exited with status 0" "$probe_dir/out" && verdict=yes
            rm -rf "$probe_dir"
        fi
        echo $verdict > "$cache"
    fi
    if [ "$(cat "$cache")" = yes ]; then echo "-accel kvm"; else echo "-accel tcg"; fi
}

# qemu_command OVERLAY_CPIO KERNEL_ARGS...: prints the QEMU argv (one word per line).
qemu_base_args() {
    local initrd="$BUILD_DIR/initramfs.cpio"
    [ -n "${1:-}" ] && initrd="$initrd,$1"
    shift || true
    local firmware=()
    [ -f /usr/share/qemu/qboot.rom ] && firmware=(-bios /usr/share/qemu/qboot.rom)
    printf '%s\n' qemu-system-x86_64 "${firmware[@]}" $(qemu_accel) -m "${EXT_MEMORY:-512M}" \
        -nodefaults -display none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$BUILD_DIR/kernel/kernel.bin" -initrd "$initrd" \
        -append "$*"
}

# Decodes QEMU's exit status from isa-debug-exit ((code << 1) | 1) into the guest's status.
guest_status() {
    local rc=$1
    if [ $((rc & 1)) -eq 1 ]; then
        echo $(((rc - 1) / 2))
    elif [ "$rc" -eq 0 ]; then
        echo 0
    else
        echo "$rc"
    fi
}
