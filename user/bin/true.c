/* true: exit successfully. */
int main(void)
{
    return 0;
}
