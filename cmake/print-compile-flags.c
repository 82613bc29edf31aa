/* Built at configure time with the derived module definitions: prints the
 * version and compile-flags strings a module built with them would carry. */
#include <stdio.h>
#include "core/ver_defs.h"
int main(void)
{
	printf("%s\n%s\n", SER_FULL_VERSION, SER_COMPILE_FLAGS);
	return 0;
}
