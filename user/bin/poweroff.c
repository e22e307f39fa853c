/* poweroff: power the machine off through reboot(LINUX_REBOOT_CMD_POWER_OFF). */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/reboot.h>

int main(void)
{
    reboot(RB_POWER_OFF); /* RB_POWER_OFF == LINUX_REBOOT_CMD_POWER_OFF */
    fprintf(stderr, "poweroff: %s\n", strerror(errno));
    return 1;
}
